// Command gofs exercises Go's os package on wasip1: arguments, environment,
// stdin, files, directories, links, and the exit code.
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

func check(what string, err error) {
	if err != nil {
		fmt.Printf("%s: %v\n", what, err)
		return
	}
	fmt.Printf("%s: ok\n", what)
}

func main() {
	fmt.Println("args:", strings.Join(os.Args[1:], ","))
	fmt.Println("GREETING:", os.Getenv("GREETING"))
	_, home := os.LookupEnv("HOME")
	fmt.Println("HOME set:", home)

	in, _ := io.ReadAll(bufio.NewReader(os.Stdin))
	fmt.Printf("stdin: %q\n", in)

	dir := "/sandbox"
	check("write", os.WriteFile(filepath.Join(dir, "f.txt"), []byte("go data"), 0o644))
	b, err := os.ReadFile(filepath.Join(dir, "f.txt"))
	fmt.Printf("read: %q %v\n", b, err)
	check("mkdirall", os.MkdirAll(filepath.Join(dir, "a/b/c"), 0o755))
	check("symlink", os.Symlink("../f.txt", filepath.Join(dir, "a/l")))
	target, err := os.Readlink(filepath.Join(dir, "a/l"))
	fmt.Println("readlink:", target, err)
	b, err = os.ReadFile(filepath.Join(dir, "a/l"))
	fmt.Printf("read via link: %q %v\n", b, err)
	check("rename", os.Rename(filepath.Join(dir, "f.txt"), filepath.Join(dir, "a/b/g.txt")))
	var walked []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		walked = append(walked, p)
		return err
	})
	sort.Strings(walked)
	fmt.Println("walk:", strings.Join(walked, " "))
	st, err := os.Stat(filepath.Join(dir, "a/b/g.txt"))
	fmt.Println("stat:", st.Size(), st.Mode().IsRegular(), err)
	mtime := time.Unix(1_500_000_000, 0)
	check("chtimes", os.Chtimes(filepath.Join(dir, "a/b/g.txt"), mtime, mtime))
	st, _ = os.Stat(filepath.Join(dir, "a/b/g.txt"))
	fmt.Println("mtime:", st.ModTime().Unix())
	_, err = os.ReadFile("/sandbox/../etc/passwd")
	fmt.Println("escape refused:", err != nil)
	_, err = os.ReadFile("/etc/passwd")
	fmt.Println("unmounted path refused:", err != nil)
	check("removeall", os.RemoveAll(filepath.Join(dir, "a")))
	ents, _ := os.ReadDir(dir)
	fmt.Println("entries left:", len(ents))
	fmt.Fprintln(os.Stderr, "bye")
	os.Exit(3)
}
