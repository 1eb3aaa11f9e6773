package control

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// virtualsNull is how a Status without virtuals marshals its list.
var virtualsNull = []byte(`"virtuals":null`)

// EncodeStatus writes s as json.Encoder.Encode does (compact, one line),
// byte for byte, but one virtual server at a time: at 10,000 real servers
// the answer is 5.6 MB, and building it whole first held that much (and
// the copies of its growing buffer) in the daemon's peak memory.
func EncodeStatus(w io.Writer, s Status) error {
	virtuals := s.Virtuals
	s.Virtuals = nil
	head, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("encoding the status: %w", err)
	}
	i := bytes.Index(head, virtualsNull)
	if i < 0 {
		return fmt.Errorf("encoding the status: no virtuals field in %.40q", head)
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	bw.Write(head[:i])
	if virtuals == nil {
		bw.Write(virtualsNull)
	} else {
		bw.WriteString(`"virtuals":[`)
		for k := range virtuals {
			if k > 0 {
				bw.WriteByte(',')
			}
			b, err := json.Marshal(&virtuals[k])
			if err != nil {
				return fmt.Errorf("encoding the status of %s: %w", virtuals[k].Name, err)
			}
			bw.Write(b)
		}
		bw.WriteByte(']')
	}
	bw.Write(head[i+len(virtualsNull):])
	bw.WriteByte('\n')
	return bw.Flush()
}
