package ipvsadm

import (
	"math"
	"strconv"
)

// cStrtol parses the longest prefix of s that C's strtol(s, &end, 10)
// accepts: leading white space, an optional sign, decimal digits. It returns
// the value (clamped to the range of a 64-bit long, as strtol does), whether
// any digit was read, whether the whole of s was consumed and whether the
// value was out of range (ERANGE).
func cStrtol(s string) (v int64, digits, whole, overflow bool) {
	i := 0
	for i < len(s) && isCSpace(s[i]) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	start := i
	var u uint64
	limit := uint64(math.MaxInt64)
	if neg {
		limit++
	}
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		d := uint64(s[i] - '0')
		if !overflow {
			if u > (limit-d)/10 {
				overflow = true
			} else {
				u = u*10 + d
			}
		}
		i++
	}
	if i == start {
		return 0, false, false, false
	}
	whole = i == len(s)
	switch {
	case overflow && neg:
		v = math.MinInt64
	case overflow:
		v = math.MaxInt64
	case neg:
		v = -int64(u)
	default:
		v = int64(u)
	}
	return v, true, whole, overflow
}

func isCSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// stringToNumber is ipvsadm's string_to_number: the whole string must be a
// decimal number (after optional white space and sign) within [min, max].
func stringToNumber(s string, min, max int64) (int64, bool) {
	v, digits, whole, overflow := cStrtol(s)
	if !digits || !whole || overflow || v < min || v > max {
		return -1, false
	}
	return v, true
}

// cAtoi is C's atoi as glibc does it: (int)strtol(s, NULL, 10), no checks.
func cAtoi(s string) int32 {
	v, _, _, _ := cStrtol(s)
	return int32(v)
}

// appendLargeNum appends n as ipvsadm's print_largenum prints it: in a
// 9-wide column, scaled to K, M, G or T when it does not fit in 8 digits,
// unless exact, where it is printed in full with at least one space before.
func appendLargeNum(b []byte, n uint64, exact bool) []byte {
	if exact {
		digits := len(strconv.FormatUint(n, 10))
		w := 9
		if digits > 8 {
			w = digits + 1
		}
		return appendPadUint(b, n, w)
	}
	switch {
	case n < 100000000:
		return appendPadUint(b, n, 9)
	case n < 1000000000:
		return append(appendPadUint(b, n/1000, 8), 'K')
	case n < 100000000000:
		return append(appendPadUint(b, n/1000000, 8), 'M')
	case n < 100000000000000:
		return append(appendPadUint(b, n/1000000000, 8), 'G')
	default:
		return append(appendPadUint(b, n/1000000000000, 8), 'T')
	}
}

// appendPadUint appends n right-aligned in a field of width w (%*llu).
func appendPadUint(b []byte, n uint64, w int) []byte {
	var tmp [20]byte
	s := strconv.AppendUint(tmp[:0], n, 10)
	for i := len(s); i < w; i++ {
		b = append(b, ' ')
	}
	return append(b, s...)
}

// appendLeft appends s left-aligned in a field of width w (%-*s).
func appendLeft[T string | []byte](b []byte, s T, w int) []byte {
	b = append(b, s...)
	for i := len(s); i < w; i++ {
		b = append(b, ' ')
	}
	return b
}

// appendLeftUint appends n left-aligned in a field of width w (%-*u).
func appendLeftUint(b []byte, n uint64, w int) []byte {
	var tmp [20]byte
	return appendLeft(b, strconv.AppendUint(tmp[:0], n, 10), w)
}

// appendLeftInt appends n left-aligned in a field of width w (%-*d).
func appendLeftInt(b []byte, n int64, w int) []byte {
	var tmp [21]byte
	return appendLeft(b, strconv.AppendInt(tmp[:0], n, 10), w)
}
