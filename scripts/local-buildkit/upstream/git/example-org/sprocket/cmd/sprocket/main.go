// sprocket prints the CRC-32C of files (or of stdin).
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"

	"github.com/example-org/sprocket/internal/crc"
)

var version = "v2.0.1"

func sum(r io.Reader) (uint32, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	buf := make([]byte, 64<<10)
	var c uint32
	for {
		n, err := br.Read(buf)
		c = crc.Update(c, buf[:n])
		if err == io.EOF {
			return c, nil
		}
		if err != nil {
			return c, err
		}
	}
}

func main() {
	showVersion := flag.Bool("version", false, "print the version and exit")
	flag.Parse()
	if *showVersion {
		fmt.Printf("sprocket %s (%s, %s/%s, crc32c(\"sprocket\")=%08x)\n", version, runtime.Version(), runtime.GOOS, runtime.GOARCH, crc.Update(0, []byte("sprocket")))
		return
	}
	if flag.NArg() == 0 {
		c, err := sum(os.Stdin)
		if err != nil {
			fmt.Fprintln(os.Stderr, "sprocket:", err)
			os.Exit(1)
		}
		fmt.Printf("%08x  -\n", c)
		return
	}
	status := 0
	for _, name := range flag.Args() {
		f, err := os.Open(name)
		if err != nil {
			fmt.Fprintln(os.Stderr, "sprocket:", err)
			status = 1
			continue
		}
		c, err := sum(f)
		f.Close()
		if err != nil {
			fmt.Fprintln(os.Stderr, "sprocket:", err)
			status = 1
			continue
		}
		fmt.Printf("%08x  %s\n", c, name)
	}
	os.Exit(status)
}
