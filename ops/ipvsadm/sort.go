package ipvsadm

import "github.com/lvsadm/lvsadm/ops"

// ipvsadm sorts services and destinations with qsort and libipvs's
// comparison functions. Those subtract unsigned 32-bit values into an int,
// so two addresses more than 2^31 apart compare "backwards" (10.0.0.1 sorts
// after 192.168.0.1), and the order is not even transitive. To list in the
// same order, this file reproduces both the comparisons and glibc's qsort,
// which is a top-down merge sort (msort_with_tmp) whenever it can allocate
// its buffer.

// mergeSort sorts idx by cmp exactly as glibc's msort does.
func mergeSort(idx []int, cmp func(a, b int) int) {
	if len(idx) < 2 {
		return
	}
	tmp := make([]int, len(idx))
	msort(idx, tmp, cmp)
}

func msort(b, tmp []int, cmp func(a, b int) int) {
	n := len(b)
	if n <= 1 {
		return
	}
	n1 := n / 2
	b1, b2 := b[:n1], b[n1:]
	msort(b1, tmp, cmp)
	msort(b2, tmp, cmp)
	i, j, k := 0, 0, 0
	for i < len(b1) && j < len(b2) {
		if cmp(b1[i], b2[j]) <= 0 {
			tmp[k] = b1[i]
			i++
		} else {
			tmp[k] = b2[j]
			j++
		}
		k++
	}
	k += copy(tmp[k:], b1[i:])
	// What is left of b2 is already in place.
	copy(b, tmp[:k])
}

// sortKey is what libipvs compares of a service or destination.
type sortKey struct {
	fwmark uint32
	af     uint16
	proto  uint16
	addr   inetAddr
	port   uint16
}

// cmpServices is libipvs's ipvs_cmp_services.
func cmpServices(s1, s2 *sortKey) int {
	if r := int32(s1.fwmark - s2.fwmark); r != 0 {
		return int(r)
	}
	if r := int(s1.af) - int(s2.af); r != 0 {
		return r
	}
	if r := int(s1.proto) - int(s2.proto); r != 0 {
		return r
	}
	if r := cmpAddr(s1.af, &s1.addr, &s2.addr); r != 0 {
		return r
	}
	return int(s1.port) - int(s2.port)
}

// cmpDests is libipvs's ipvs_cmp_dests: by address (the first one's family
// decides how much of it), then port.
func cmpDests(d1, d2 *sortKey) int {
	if r := cmpAddr(d1.af, &d1.addr, &d2.addr); r != 0 {
		return r
	}
	return int(d1.port) - int(d2.port)
}

func cmpAddr(af uint16, a1, a2 *inetAddr) int {
	if af == ops.AFInet6 {
		for i := 0; i < 4; i++ {
			if r := int32(a1.word(i) - a2.word(i)); r != 0 {
				return int(r)
			}
		}
		return 0
	}
	return int(int32(a1.v4() - a2.v4()))
}
