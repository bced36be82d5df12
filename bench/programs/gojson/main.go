// Command gojson is the Go benchmark program: it round-trips generated
// records through encoding/json, aggregates them in maps, sorts them and
// hashes the result with crypto/sha256. Built natively and with
// GOOS=wasip1 GOARCH=wasm, it also serves as the large module for compile
// and instantiate measurements. It prints "gojson <checksum>".
package main

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
)

type record struct {
	ID     int               `json:"id"`
	Name   string            `json:"name"`
	Tags   []string          `json:"tags"`
	Score  float64           `json:"score"`
	Active bool              `json:"active"`
	Attrs  map[string]string `json:"attrs"`
}

// rng is xorshift64*, matching the C kernels' generator.
type rng uint64

func (r *rng) next() uint64 {
	x := uint64(*r)
	x ^= x >> 12
	x ^= x << 25
	x ^= x >> 27
	*r = rng(x)
	return x * 0x2545F4914F6CDD1D
}

var syllables = []string{"ka", "lo", "mi", "ne", "ru", "sa", "to", "vu"}

func word(r *rng) string {
	var b strings.Builder
	for i := 0; i < 2+int(r.next()%3); i++ {
		b.WriteString(syllables[r.next()%uint64(len(syllables))])
	}
	return b.String()
}

func generate(r *rng, n int) []record {
	recs := make([]record, n)
	for i := range recs {
		tags := make([]string, 1+r.next()%4)
		for j := range tags {
			tags[j] = word(r)
		}
		recs[i] = record{
			ID:     i,
			Name:   word(r) + " " + word(r),
			Tags:   tags,
			Score:  float64(r.next()%100000) / 100,
			Active: r.next()%3 != 0,
			Attrs:  map[string]string{"k" + strconv.Itoa(int(r.next()%10)): word(r)},
		}
	}
	return recs
}

func round(r *rng, n int) ([32]byte, error) {
	data, err := json.Marshal(generate(r, n))
	if err != nil {
		return [32]byte{}, err
	}
	var back []record
	if err := json.Unmarshal(data, &back); err != nil {
		return [32]byte{}, err
	}
	tagCount := map[string]int{}
	for _, rec := range back {
		for _, t := range rec.Tags {
			tagCount[t]++
		}
	}
	tags := make([]string, 0, len(tagCount))
	for t := range tagCount {
		tags = append(tags, t)
	}
	sort.Slice(tags, func(i, j int) bool {
		if tagCount[tags[i]] != tagCount[tags[j]] {
			return tagCount[tags[i]] > tagCount[tags[j]]
		}
		return tags[i] < tags[j]
	})
	sort.SliceStable(back, func(i, j int) bool { return back[i].Score > back[j].Score })
	h := sha256.New()
	h.Write(data)
	for _, t := range tags {
		fmt.Fprintf(h, "%s=%d;", t, tagCount[t])
	}
	for _, rec := range back[:min(len(back), 1000)] {
		fmt.Fprintf(h, "%d:%.2f:%t;", rec.ID, rec.Score, rec.Active)
	}
	var sum [32]byte
	copy(sum[:], h.Sum(nil))
	return sum, nil
}

func main() {
	rounds := 1
	if len(os.Args) > 1 {
		n, err := strconv.Atoi(os.Args[1])
		if err != nil || n <= 0 {
			fmt.Fprintf(os.Stderr, "usage: %s [positive scale]\n", os.Args[0])
			os.Exit(2)
		}
		rounds = n
	}
	r := rng(2024)
	var acc uint64 = 1469598103934665603
	for i := 0; i < rounds; i++ {
		sum, err := round(&r, 30000)
		if err != nil {
			fmt.Fprintln(os.Stderr, "gojson:", err)
			os.Exit(1)
		}
		acc = (acc ^ binary.LittleEndian.Uint64(sum[:8])) * 0x100000001b3
	}
	fmt.Printf("gojson %016x\n", acc)
}
