// Package crc computes CRC-32C (Castagnoli) in C, through cgo.
package crc

/*
#include <stddef.h>
#include <stdint.h>

static uint32_t sprocket_crc32c(uint32_t crc, const unsigned char *p, size_t n) {
	crc = ~crc;
	while (n--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0x82f63b78u & (0u - (crc & 1u)));
	}
	return ~crc;
}
*/
import "C"

import "unsafe"

// Update adds b to a running checksum (start with 0).
func Update(crc uint32, b []byte) uint32 {
	if len(b) == 0 {
		return crc
	}
	return uint32(C.sprocket_crc32c(C.uint32_t(crc), (*C.uchar)(unsafe.Pointer(&b[0])), C.size_t(len(b))))
}
