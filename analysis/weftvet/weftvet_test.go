package weftvet_test

import (
	"testing"

	"go.uber.org/goleak"
	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/weftsim/weft/analysis/weftvet"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestAnalyzer_ReportsEveryEscapeWithItsFix(t *testing.T) {
	analysistest.RunWithSuggestedFixes(t, analysistest.TestData(), weftvet.Analyzer, "a")
}

func TestAnalyzer_LeavesPackagesWithoutWeftAlone(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), weftvet.Analyzer, "plain")
}
