package lincheck

import (
	"fmt"
	"maps"
	"slices"

	"github.com/anishathalye/porcupine"
)

// KVInput is an operation on a key-value store of strings: a Get of Key,
// or a Put of Value under Key.
type KVInput struct {
	Put        bool
	Key, Value string
}

// Get is the input of a read of key.
func Get(key string) KVInput { return KVInput{Key: key} }

// Put is the input of a write of value under key.
func Put(key, value string) KVInput { return KVInput{Put: true, Key: key, Value: value} }

func (in KVInput) String() string {
	if in.Put {
		return fmt.Sprintf("put(%s, %q)", in.Key, in.Value)
	}
	return fmt.Sprintf("get(%s)", in.Key)
}

// KV is the model of a linearizable key-value store of strings with Get
// and Put inputs. A Get's output is the string it read ("" for a key never
// written); a Put's output is ignored (return nil). Histories are checked
// key by key.
var KV = porcupine.Model{
	Partition: func(history []porcupine.Operation) [][]porcupine.Operation {
		byKey := map[string][]porcupine.Operation{}
		for _, op := range history {
			k := op.Input.(KVInput).Key
			byKey[k] = append(byKey[k], op)
		}
		out := make([][]porcupine.Operation, 0, len(byKey))
		for _, k := range slices.Sorted(maps.Keys(byKey)) { // never map order
			out = append(out, byKey[k])
		}
		return out
	},
	Init: func() any { return "" },
	Step: func(state, input, output any) (bool, any) {
		in := input.(KVInput)
		if in.Put {
			return true, in.Value
		}
		return output == Unknown || output == state, state
	},
	DescribeOperation: func(input, output any) string {
		in := input.(KVInput)
		switch {
		case output == Unknown:
			return in.String() + " -> ?"
		case in.Put:
			return in.String()
		}
		return fmt.Sprintf("%v -> %q", in, output)
	},
	DescribeState: func(state any) string { return fmt.Sprintf("%q", state) },
}
