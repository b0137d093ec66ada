package sim

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func lookupFrom(m map[string]string) lookupFunc {
	return func(flagName, envName string) (string, bool) {
		if v, ok := m[flagName]; ok {
			return v, true
		}
		v, ok := m[envName]
		return v, ok
	}
}

func TestParseSettings(t *testing.T) {
	tests := []struct {
		name string
		in   map[string]string
		want settings
	}{
		{"defaults", nil, settings{seeds: DefaultSeeds, strategy: Random()}},
		{"flags", map[string]string{"sim.seed": "17", "sim.seeds": "5", "sim.strategy": "pct:2", "sim.explore": "true"},
			settings{seed: 17, seedSet: true, seeds: 5, strategy: PCT(2), stratSet: true, explore: true}},
		{"env", map[string]string{envSeed: "0x10", envStrategy: "FIFO"},
			settings{seed: 16, seedSet: true, seeds: DefaultSeeds, strategy: FIFO(), stratSet: true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseSettings(lookupFrom(tc.in))
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestParseSettingsRejectsBadInput(t *testing.T) {
	for _, in := range []map[string]string{
		{"sim.seed": "abc"},
		{"sim.seed": "-1"},
		{"sim.seeds": "0"},
		{"sim.seeds": "many"},
		{"sim.strategy": "lifo"},
		{envStrategy: "pct:0"},
		{"sim.explore": "maybe"},
	} {
		_, err := parseSettings(lookupFrom(in))
		assert.Error(t, err, "%v", in)
	}
}
