package report

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"math"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// Chart geometry, in pixels.
const (
	chartWidth   = 1100
	chartHeight  = 520
	marginLeft   = 60
	marginRight  = 20
	marginTop    = 40
	marginBottom = 70
	labelHeight  = 14 // line height of the 7x13 font
)

var (
	white     = color.RGBA{255, 255, 255, 255}
	black     = color.RGBA{30, 30, 30, 255}
	gridGrey  = color.RGBA{225, 225, 225, 255}
	nativeRed = color.RGBA{200, 40, 40, 255}
	palette   = []color.RGBA{
		{66, 133, 244, 255}, {251, 140, 0, 255}, {52, 168, 83, 255},
		{142, 68, 173, 255}, {0, 150, 136, 255}, {121, 85, 72, 255},
	}
)

// WriteChart draws one group of bars per program (plus a geomean group),
// one bar per peer engine, each the ratio of its time to native's on a
// log2 axis; the red line marks native (1.0).
func WriteChart(w io.Writer, r *Results) error {
	peers := r.Peers()
	if len(peers) == 0 || len(r.Programs) == 0 {
		return fmt.Errorf("chart: nothing to draw")
	}
	type group struct {
		label  string
		ratios []float64
	}
	var groups []group
	for _, p := range r.Programs {
		g := group{label: p.Name}
		for _, e := range peers {
			g.ratios = append(g.ratios, p.Ratio(e))
		}
		groups = append(groups, g)
	}
	geo := group{label: "geomean"}
	for _, e := range peers {
		geo.ratios = append(geo.ratios, r.GeoMean(e))
	}
	groups = append(groups, geo)
	minRatio, maxRatio := 1.0, 2.0
	for _, g := range groups {
		for _, x := range g.ratios {
			if !math.IsNaN(x) && x > 0 {
				minRatio, maxRatio = min(minRatio, x), max(maxRatio, x)
			}
		}
	}
	// A log2 axis, as ratios spread over orders of magnitude, from one
	// power of two below the smallest ratio (so a ratio of 1 still shows
	// as a bar) to the power of two above the largest.
	lo := math.Floor(math.Log2(minRatio)) - 1
	hi := math.Ceil(math.Log2(maxRatio))

	img := image.NewRGBA(image.Rect(0, 0, chartWidth, chartHeight))
	draw.Draw(img, img.Bounds(), image.NewUniform(white), image.Point{}, draw.Src)
	plotW := chartWidth - marginLeft - marginRight
	plotH := chartHeight - marginTop - marginBottom
	y := func(v float64) int {
		return marginTop + plotH - int(math.Round((math.Log2(v)-lo)/(hi-lo)*float64(plotH)))
	}
	bottom := math.Exp2(lo)

	for e := lo; e <= hi; e++ {
		v := math.Exp2(e)
		fillRect(img, marginLeft, y(v), marginLeft+plotW, y(v)+1, gridGrey)
		label := fmt.Sprintf("%g", v)
		text(img, marginLeft-8-7*len(label), y(v)+4, label, black)
	}
	text(img, 8, marginTop-12, "time / native, log scale (lower is better)", black)

	groupW := float64(plotW) / float64(len(groups))
	barW := int(groupW * 0.8 / float64(len(peers)))
	for gi, g := range groups {
		x0 := marginLeft + int(float64(gi)*groupW+groupW*0.1)
		for ei, v := range g.ratios {
			if !math.IsNaN(v) {
				bx := x0 + ei*barW
				fillRect(img, bx, y(v), bx+barW-1, y(bottom), palette[ei%len(palette)])
			}
		}
		if gi == len(groups)-1 { // label the geomean bars, over all bars
			prevRight, prevY := math.MinInt, 0 // the last label drawn
			for ei, v := range g.ratios {
				if math.IsNaN(v) {
					continue
				}
				label := fmt.Sprintf("%.2f", v)
				lx, ly := x0+ei*barW+barW/2-7*len(label)/2, y(v)-4
				if lx < prevRight && ly > prevY-labelHeight && ly < prevY+labelHeight {
					ly = prevY - labelHeight // lift it clear of its neighbour
				}
				text(img, lx, ly, label, black)
				prevRight, prevY = lx+7*len(label), ly
			}
		}
		lx := marginLeft + int(float64(gi)*groupW+groupW/2) - 7*len(g.label)/2
		text(img, lx, marginTop+plotH+16, g.label, black)
	}
	fillRect(img, marginLeft, y(1), marginLeft+plotW, y(1)+2, nativeRed)
	fillRect(img, marginLeft, marginTop, marginLeft+1, marginTop+plotH, black)
	fillRect(img, marginLeft, y(bottom), marginLeft+plotW, y(bottom)+1, black)

	// Legend along the bottom.
	lx := marginLeft
	ly := chartHeight - 22
	fillRect(img, lx, ly-8, lx+20, ly-6, nativeRed)
	text(img, lx+26, ly, "native = 1", black)
	lx += 26 + 7*len("native = 1") + 24
	for ei, e := range peers {
		fillRect(img, lx, ly-10, lx+12, ly+2, palette[ei%len(palette)])
		text(img, lx+18, ly, e, black)
		lx += 18 + 7*len(e) + 24
	}
	return png.Encode(w, img)
}

func fillRect(img *image.RGBA, x0, y0, x1, y1 int, c color.RGBA) {
	draw.Draw(img, image.Rect(x0, y0, x1, y1), image.NewUniform(c), image.Point{}, draw.Src)
}

// text draws s with its baseline at (x, y) in a 7x13 bitmap font.
func text(img *image.RGBA, x, y int, s string, c color.RGBA) {
	d := font.Drawer{Dst: img, Src: image.NewUniform(c), Face: basicfont.Face7x13, Dot: fixed.P(x, y)}
	d.DrawString(s)
}
