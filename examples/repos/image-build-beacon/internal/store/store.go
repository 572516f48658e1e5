// Package store keeps the results across restarts: a gob snapshot with a CRC-32 trailer, written
// to a temporary file and renamed, so a crash never leaves half a snapshot behind.
package store

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/gob"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/example-org/beacon/internal/probe"
)

const magic = "BCN1"

// Snapshot is what is saved.
type Snapshot struct {
	Saved   time.Time
	Results map[string][]probe.Result
}

// ErrCorrupt is returned for a file whose checksum does not match.
var ErrCorrupt = errors.New("snapshot is corrupt")

// Save writes s to path atomically.
func Save(path string, s Snapshot) error {
	var body bytes.Buffer
	if err := gob.NewEncoder(&body).Encode(s); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".beacon-snapshot-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	w := bufio.NewWriter(tmp)
	w.WriteString(magic)
	binary.Write(w, binary.BigEndian, uint32(body.Len()))
	w.Write(body.Bytes())
	binary.Write(w, binary.BigEndian, crc32.ChecksumIEEE(body.Bytes()))
	if err := w.Flush(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// Load reads a snapshot; a missing file is an empty snapshot.
func Load(path string) (Snapshot, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return Snapshot{Results: map[string][]probe.Result{}}, nil
	}
	if err != nil {
		return Snapshot{}, err
	}
	defer f.Close()
	r := bufio.NewReader(f)
	head := make([]byte, len(magic))
	if _, err := io.ReadFull(r, head); err != nil || string(head) != magic {
		return Snapshot{}, fmt.Errorf("%s: not a beacon snapshot", path)
	}
	var n uint32
	if err := binary.Read(r, binary.BigEndian, &n); err != nil {
		return Snapshot{}, fmt.Errorf("%s: %w", path, ErrCorrupt)
	}
	if n > 256<<20 {
		return Snapshot{}, fmt.Errorf("%s: %w (length %d)", path, ErrCorrupt, n)
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(r, body); err != nil {
		return Snapshot{}, fmt.Errorf("%s: %w", path, ErrCorrupt)
	}
	var sum uint32
	if err := binary.Read(r, binary.BigEndian, &sum); err != nil || sum != crc32.ChecksumIEEE(body) {
		return Snapshot{}, fmt.Errorf("%s: %w", path, ErrCorrupt)
	}
	var s Snapshot
	if err := gob.NewDecoder(bytes.NewReader(body)).Decode(&s); err != nil {
		return Snapshot{}, fmt.Errorf("%s: %v", path, err)
	}
	if s.Results == nil {
		s.Results = map[string][]probe.Result{}
	}
	return s, nil
}
