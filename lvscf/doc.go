// Package lvscf reads, checks, edits and renders piranha's lvs.cf
// configuration language (pulse/lvs/nanny's /etc/sysconfig/ha/lvs.cf).
//
// The package has four layers:
//
//   - a lossless concrete syntax tree (Parse, File.Bytes): every byte of the
//     input, including comments, blank lines, indentation, spacing around
//     '=', quoting, trailing blanks, CRLF or LF per line and a missing final
//     newline, is kept, so printing an unmodified tree returns the input byte
//     for byte. The tree tolerates errors: syntax problems become positioned
//     diagnostics rather than a failed parse.
//   - a typed model (Decode, Config) with piranha's own defaults applied, as
//     read from piranha's lvsconfig.c rather than from the GUI.
//   - edits by path (File.Get, File.Set, File.Add, File.Delete) that rewrite
//     only the lines they concern.
//   - tools on top: Lint, Format, Diff and Render (the ipvsadm rules a
//     configuration means, as piranha's lvs and nanny would create them).
//
// docs/lvscf.md describes the language, the path syntax, the lint rules and
// the piranha facts this package relies on, with their sources.
package lvscf
