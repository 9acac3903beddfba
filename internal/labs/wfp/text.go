package wfp

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// FormatText renders a result as a readable trace: the verdict, then each sublayer and filter in
// evaluation order, then the events, then the sources the rule ids point to.
func FormatText(r Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Layer %s, phase %s\n", r.Layer, r.Phase)
	switch r.Verdict {
	case "permit", "block":
		hard := "soft"
		if r.Hard {
			hard = "hard"
		}
		fmt.Fprintf(&b, "Verdict: %s (%s) by filter %d in sublayer %s", strings.ToUpper(r.Verdict), hard, *r.DecidedBy, r.Sublayer)
		if r.Veto {
			b.WriteString(", by VETO")
		}
		if r.Absorbed {
			b.WriteString(", absorbed (silent drop)")
		}
		b.WriteString("\n")
	default:
		fmt.Fprintf(&b, "Verdict: %s; the traffic is %sed (options.defaultVerdict, model)\n", strings.ToUpper(r.Verdict), r.Effective)
	}
	b.WriteString("\nTrace (D = documented, M = model):\n")
	var used []string
	for _, s := range r.Trace {
		tag := "D"
		if s.Label == Model {
			tag = "M"
		}
		for _, id := range s.Rules {
			if !slices.Contains(used, id) {
				used = append(used, id)
			}
		}
		rules := strings.Join(s.Rules, ",")
		if s.Kind == "sublayer" {
			fmt.Fprintf(&b, "[%s] sublayer %s (weight %d): %s - %s [%s]\n", tag, s.Sublayer, *s.SublayerWeight, s.Status, s.Why, rules)
			continue
		}
		name := ""
		if s.Name != "" {
			name = fmt.Sprintf(" %q", s.Name)
		}
		indent := "    "
		if s.Status == "inactive" {
			indent = ""
		}
		fmt.Fprintf(&b, "%s[%s] filter %d%s %s, weight %s: %s", indent, tag, s.FilterID, name, s.Action, s.Weight, s.Status)
		if s.Status == "evaluated" {
			fmt.Fprintf(&b, " -> %s", s.Result)
			if s.ResultHard != nil {
				if *s.ResultHard {
					b.WriteString(" (hard)")
				} else {
					b.WriteString(" (soft)")
				}
			}
			if s.Outcome != "continue" {
				fmt.Fprintf(&b, ", %s", s.Outcome)
			}
			fmt.Fprintf(&b, "; decision %s/%s -> %s/%s", s.DecisionBefore, s.RightsBefore, s.DecisionAfter, s.RightsAfter)
		}
		fmt.Fprintf(&b, " [%s]\n", rules)
		fmt.Fprintf(&b, "%s      %s\n", indent, s.Why)
		if s.Ignored != "" {
			fmt.Fprintf(&b, "%s      ignored: %s\n", indent, s.Ignored)
		}
		if s.Callout != nil {
			c := s.Callout
			if !c.Registered {
				fmt.Fprintf(&b, "%s      callout %s: not registered\n", indent, c.Key)
			} else {
				fmt.Fprintf(&b, "%s      callout %s (%s): writable=%t returned %s clearWrite=%t absorb=%t", indent, c.Key, c.Behavior, c.Writable, c.Returned, c.ClearWrite, c.Absorb)
				if c.Coerced != "" {
					fmt.Fprintf(&b, " -> treated as %s", c.Coerced)
				}
				b.WriteString("\n")
			}
		}
		if s.Status == "no-match" {
			for _, c := range s.Conditions {
				got := c.Got
				if c.Missing {
					got = "(absent)"
				}
				fmt.Fprintf(&b, "%s      %s %s %s: packet %s -> %t\n", indent, c.Field, c.Op, c.Want, got, c.Matched)
			}
		}
	}
	if len(r.Events) > 0 {
		b.WriteString("\nEvents:\n")
		for _, e := range r.Events {
			tag := "D"
			if e.Label == Model {
				tag = "M"
			}
			if !slices.Contains(used, e.Rule) {
				used = append(used, e.Rule)
			}
			fmt.Fprintf(&b, "[%s] %s: %s [%s]\n", tag, e.Type, e.Message, e.Rule)
		}
	}
	sort.Slice(used, func(i, j int) bool { return compareRuleIDs(used[i], used[j]) < 0 })
	b.WriteString("\nSources:\n")
	for _, id := range used {
		rl := ruleByID(id)
		fmt.Fprintf(&b, "  %-4s %-10s %s\n", id, rl.Label, rl.Source)
	}
	return b.String()
}

// compareRuleIDs orders R rules before G rules, then numerically.
func compareRuleIDs(a, b string) int {
	if a[0] != b[0] {
		if a[0] == 'R' {
			return -1
		}
		return 1
	}
	if len(a) != len(b) {
		return len(a) - len(b)
	}
	return strings.Compare(a, b)
}
