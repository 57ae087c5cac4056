package http

import (
	"encoding/json"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"bullpen/internal/bullpen"
)

// decodeBody decodes a JSON object into v (a pointer to a struct), refusing unknown fields and
// wrong types with an error naming the field's path ("prizes.0.points"). encoding/json alone
// reports neither array indexes nor the field of a failing UnmarshalJSON.
func decodeBody(body []byte, v any) error {
	body = bullpen.TrimJSONSpace(body)
	if len(body) == 0 || body[0] != '{' {
		return bullpen.Invalid("", "the body must be a JSON object")
	}
	if !json.Valid(body) {
		return bullpen.Invalid("", "the body is not valid JSON")
	}
	if err := check(body, reflect.TypeOf(v).Elem(), ""); err != nil {
		return err
	}
	if err := json.Unmarshal(body, v); err != nil {
		return bullpen.Invalid("", "the body does not decode: %v", err)
	}
	return nil
}

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// check walks raw alongside the Go type it will decode into.
func check(raw json.RawMessage, t reflect.Type, path string) error {
	raw = bullpen.TrimJSONSpace(raw)
	if string(raw) == "null" {
		return nil
	}
	if reflect.PointerTo(t).Implements(unmarshalerType) {
		if err := reflect.New(t).Interface().(json.Unmarshaler).UnmarshalJSON(raw); err != nil {
			return bullpen.Invalid(path, "%s must be %s", path, describe(t))
		}
		return nil
	}
	switch t.Kind() {
	case reflect.Pointer:
		return check(raw, t.Elem(), path)
	case reflect.Struct:
		return checkStruct(raw, t, path)
	case reflect.Slice:
		var items []json.RawMessage
		if raw[0] != '[' || json.Unmarshal(raw, &items) != nil {
			return bullpen.Invalid(path, "%s must be an array", path)
		}
		for i, item := range items {
			if err := check(item, t.Elem(), join(path, strconv.Itoa(i))); err != nil {
				return err
			}
		}
	case reflect.Map:
		var m map[string]json.RawMessage
		if raw[0] != '{' || json.Unmarshal(raw, &m) != nil {
			return bullpen.Invalid(path, "%s must be an object", path)
		}
		for _, k := range slices.Sorted(maps.Keys(m)) {
			if !bullpen.Storable(k) {
				return bullpen.Invalid(path, "%s has a key that is not UTF-8 text without NUL characters", path)
			}
			if err := check(m[k], t.Elem(), join(path, k)); err != nil {
				return err
			}
		}
	case reflect.Interface:
	default:
		v := reflect.New(t)
		if json.Unmarshal(raw, v.Interface()) != nil {
			return bullpen.Invalid(path, "%s must be %s", path, describe(t))
		}
		// Text PostgreSQL cannot hold is refused here, by field, for every body at once.
		if t.Kind() == reflect.String && !bullpen.Storable(v.Elem().String()) {
			return bullpen.Invalid(path, "%s must be UTF-8 text without NUL characters", path)
		}
	}
	return nil
}

func checkStruct(raw json.RawMessage, t reflect.Type, path string) error {
	var m map[string]json.RawMessage
	if raw[0] != '{' || json.Unmarshal(raw, &m) != nil {
		return bullpen.Invalid(path, "%s must be an object", orBody(path))
	}
	fields := jsonFields(t)
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if _, ok := fields[k]; !ok {
			return bullpen.Invalid(join(path, k), "unknown field %q", join(path, k))
		}
	}
	for i := 0; i < t.NumField(); i++ {
		name := jsonName(t.Field(i))
		if v, ok := m[name]; ok && name != "" {
			if err := check(v, t.Field(i).Type, join(path, name)); err != nil {
				return err
			}
		}
	}
	return nil
}

func orBody(path string) string {
	if path == "" {
		return "the body"
	}
	return path
}

func jsonName(f reflect.StructField) string {
	if !f.IsExported() {
		return ""
	}
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	switch name {
	case "-":
		return ""
	case "":
		return f.Name
	}
	return name
}

func jsonFields(t reflect.Type) map[string]bool {
	out := map[string]bool{}
	for i := 0; i < t.NumField(); i++ {
		if n := jsonName(t.Field(i)); n != "" {
			out[n] = true
		}
	}
	return out
}

func describe(t reflect.Type) string {
	switch t {
	case reflect.TypeFor[time.Time]():
		return "an RFC 3339 timestamp with offset"
	case reflect.TypeFor[bullpen.Fixed]():
		return "a decimal number with at most 2 places"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	}
	return "a valid " + t.String()
}

// page reads limit (default 50, at most 500) and offset.
func page(c *fiber.Ctx) (limit, offset int, err error) {
	if limit, err = intQuery(c, "limit", 50, 1, 500); err != nil {
		return 0, 0, err
	}
	offset, err = intQuery(c, "offset", 0, 0, 1<<31-1)
	return limit, offset, err
}

func intQuery(c *fiber.Ctx, name string, def, lo, hi int) (int, error) {
	s := c.Query(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, bullpen.Invalid(name, "%s must be a whole number from %d to %d", name, lo, hi)
	}
	return n, nil
}

type list[T any] struct {
	Items []T `json:"items"`
}
