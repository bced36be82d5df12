// Command echo serves one connection on the listening socket the host
// grants as descriptor 3: it answers each line upper-cased until "quit".
package main

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"strings"
)

func main() {
	l, err := net.FileListener(os.NewFile(3, "listener"))
	if err != nil {
		fmt.Println("FileListener:", err)
		os.Exit(1)
	}
	conn, err := l.Accept()
	if err != nil {
		fmt.Println("Accept:", err)
		os.Exit(1)
	}
	r := bufio.NewReader(conn)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			fmt.Println("read:", err)
			os.Exit(1)
		}
		if line == "quit\n" {
			break
		}
		fmt.Fprint(conn, strings.ToUpper(line))
	}
	conn.Close()
	fmt.Println("served")
}
