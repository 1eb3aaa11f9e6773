package cmd

import (
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
)

// writeYAML writes v (structs with json tags, slices, strings, numbers,
// bools) as block-style YAML. It is hand-written rather than a YAML library
// because a library's package initialiser costs every ipvsadm-style
// invocation of this binary start-up time (0.3 ms of guest time in the lab,
// a tenth of a short command's run), and `list -o yaml` needs only this.
func writeYAML(w io.Writer, v any) error {
	var b strings.Builder
	yamlValue(&b, reflect.ValueOf(v), 0, false)
	_, err := io.WriteString(w, b.String())
	return err
}

// yamlValue appends v at the given indent. inline is true when the caller
// already wrote "key:" or "- " and a scalar may follow on the same line.
func yamlValue(b *strings.Builder, v reflect.Value, indent int, inline bool) {
	pad := strings.Repeat("  ", indent)
	switch v.Kind() {
	case reflect.Struct:
		first := true
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			name, omitEmpty := yamlName(f)
			if name == "" || (omitEmpty && v.Field(i).IsZero()) {
				continue
			}
			if inline && first {
				// After "- ", the first key continues the dash's line.
				b.WriteString(name + ":")
			} else {
				if inline || !first || indent > 0 {
					b.WriteString(pad)
				}
				b.WriteString(name + ":")
			}
			first = false
			yamlChild(b, v.Field(i), indent+1)
		}
		if first && inline {
			b.WriteString("{}\n")
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			b.WriteString(pad + "- ")
			e := v.Index(i)
			if e.Kind() == reflect.Struct {
				yamlValue(b, e, indent+1, true)
			} else {
				b.WriteString(yamlScalar(e) + "\n")
			}
		}
	default:
		b.WriteString(yamlScalar(v) + "\n")
	}
}

// yamlChild writes what follows "key:".
func yamlChild(b *strings.Builder, v reflect.Value, indent int) {
	switch v.Kind() {
	case reflect.Struct:
		b.WriteString("\n")
		yamlValue(b, v, indent, false)
	case reflect.Slice, reflect.Array:
		if v.Len() == 0 {
			b.WriteString(" []\n")
			return
		}
		b.WriteString("\n")
		yamlValue(b, v, indent, false)
	default:
		b.WriteString(" " + yamlScalar(v) + "\n")
	}
}

func yamlName(f reflect.StructField) (name string, omitEmpty bool) {
	if !f.IsExported() {
		return "", false
	}
	tag := f.Tag.Get("json")
	if tag == "-" {
		return "", false
	}
	name, opts, _ := strings.Cut(tag, ",")
	if name == "" {
		name = f.Name
	}
	return name, strings.Contains(opts, "omitempty")
}

func yamlScalar(v reflect.Value) string {
	switch v.Kind() {
	case reflect.String:
		return yamlString(v.String())
	case reflect.Bool:
		return strconv.FormatBool(v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(v.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return strconv.FormatUint(v.Uint(), 10)
	case reflect.Float32, reflect.Float64:
		return strconv.FormatFloat(v.Float(), 'g', -1, 64)
	}
	return yamlString(fmt.Sprint(v.Interface()))
}

// yamlString quotes a string whenever a plain scalar could be read as
// something else (a number, a bool, null, or YAML syntax).
func yamlString(s string) string {
	if s == "" {
		return `""`
	}
	plain := true
	switch strings.ToLower(s) {
	case "true", "false", "yes", "no", "on", "off", "null", "~", "y", "n":
		plain = false
	}
	if _, err := strconv.ParseFloat(s, 64); err == nil {
		plain = false
	}
	if strings.ContainsAny(s, ":#{}[],&*!|>'\"%@`\n\t") || strings.HasPrefix(s, "-") || strings.HasPrefix(s, "?") || strings.TrimSpace(s) != s {
		plain = false
	}
	if plain {
		return s
	}
	return strconv.Quote(s)
}
