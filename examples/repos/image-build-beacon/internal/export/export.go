// Package export writes the kept results for other tools: CSV (optionally gzipped), or a
// tar.gz / zip bundle holding results.csv, results.json and a README.
package export

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"time"

	"github.com/example-org/beacon/internal/probe"
)

// Format is an export format.
type Format string

const (
	CSV    Format = "csv"
	CSVGz  Format = "csv.gz"
	TarGz  Format = "tar.gz"
	Zip    Format = "zip"
	Header        = "target,at,outcome,latency_ms,status,detail"
)

// Formats lists what Write accepts.
var Formats = []Format{CSV, CSVGz, TarGz, Zip}

// Flatten orders results by target, then time.
func Flatten(results map[string][]probe.Result) []probe.Result {
	names := make([]string, 0, len(results))
	for n := range results {
		names = append(names, n)
	}
	sort.Strings(names)
	var out []probe.Result
	for _, n := range names {
		list := append([]probe.Result(nil), results[n]...)
		sort.SliceStable(list, func(i, j int) bool { return list[i].At.Before(list[j].At) })
		out = append(out, list...)
	}
	return out
}

// WriteCSV writes one row per result.
func WriteCSV(w io.Writer, list []probe.Result) error {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"target", "at", "outcome", "latency_ms", "status", "detail"}); err != nil {
		return err
	}
	for _, r := range list {
		status := ""
		if r.Status != 0 {
			status = strconv.Itoa(r.Status)
		}
		row := []string{r.Target, r.At.UTC().Format(time.RFC3339Nano), string(r.Outcome), strconv.FormatFloat(float64(r.Latency)/float64(time.Millisecond), 'f', 3, 64), status, r.Detail}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// Write writes results in format f.
func Write(w io.Writer, f Format, results map[string][]probe.Result, now time.Time) error {
	list := Flatten(results)
	switch f {
	case CSV:
		return WriteCSV(w, list)
	case CSVGz:
		zw := gzip.NewWriter(w)
		zw.Name = "results.csv"
		zw.ModTime = now
		if err := WriteCSV(zw, list); err != nil {
			return err
		}
		return zw.Close()
	case TarGz, Zip:
		files, err := bundle(list, now)
		if err != nil {
			return err
		}
		if f == Zip {
			return writeZip(w, files, now)
		}
		return writeTarGz(w, files, now)
	}
	return fmt.Errorf("unknown export format %q (want one of %v)", f, Formats)
}

type file struct {
	name string
	data []byte
}

func bundle(list []probe.Result, now time.Time) ([]file, error) {
	var c bytes.Buffer
	if err := WriteCSV(&c, list); err != nil {
		return nil, err
	}
	j, err := json.MarshalIndent(list, "", "  ")
	if err != nil {
		return nil, err
	}
	readme := fmt.Sprintf("beacon export, %s\n%d results\nresults.csv: %s\nresults.json: the same, as JSON\n", now.UTC().Format(time.RFC3339), len(list), Header)
	return []file{{"README", []byte(readme)}, {"results.csv", c.Bytes()}, {"results.json", j}}, nil
}

func writeTarGz(w io.Writer, files []file, now time.Time) error {
	zw := gzip.NewWriter(w)
	tw := tar.NewWriter(zw)
	for _, f := range files {
		h := &tar.Header{Name: "beacon-export/" + f.name, Mode: 0o644, Size: int64(len(f.data)), ModTime: now, Typeflag: tar.TypeReg, Format: tar.FormatPAX}
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		if _, err := tw.Write(f.data); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return zw.Close()
}

func writeZip(w io.Writer, files []file, now time.Time) error {
	zw := zip.NewWriter(w)
	for _, f := range files {
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: "beacon-export/" + f.name, Method: zip.Deflate, Modified: now})
		if err != nil {
			return err
		}
		if _, err := fw.Write(f.data); err != nil {
			return err
		}
	}
	return zw.Close()
}
