// Package conformance holds the differential test that runs the same
// ipvsadm command lines through the real ipvsadm (the oracle) and through
// lvsadm, each in a fresh network namespace (so a fresh, empty IPVS table),
// and requires byte-identical stdout, stderr and exit status. It needs a
// kernel with IPVS and runs only in the VM lab (build tag vmtest); the cases
// live in testdata/conformance/*.case.
package conformance
