package wfp

import (
	"fmt"
	"strconv"
	"strings"

	"ntatlas/internal/labs"
	"ntatlas/internal/labs/ipaddr"
)

// layerBases are the kernel filtering layers (FWPM_LAYER_*, without the prefix and the _V4/_V6
// suffix) a scenario may name.
const layerBases = "|INBOUND_IPPACKET|OUTBOUND_IPPACKET|IPFORWARD|INBOUND_TRANSPORT|OUTBOUND_TRANSPORT" +
	"|STREAM|DATAGRAM_DATA|INBOUND_ICMP_ERROR|OUTBOUND_ICMP_ERROR|ALE_RESOURCE_ASSIGNMENT" +
	"|ALE_AUTH_LISTEN|ALE_AUTH_RECV_ACCEPT|ALE_AUTH_CONNECT|ALE_FLOW_ESTABLISHED|ALE_CONNECT_REDIRECT" +
	"|ALE_BIND_REDIRECT|ALE_RESOURCE_RELEASE|ALE_ENDPOINT_CLOSURE|"

func knownLayer(name string) bool {
	base, ok := strings.CutSuffix(name, "_V4")
	if !ok {
		base, ok = strings.CutSuffix(name, "_V6")
	}
	return ok && base != "" && !strings.Contains(base, "|") && strings.Contains(layerBases, "|"+base+"|")
}

func isALE(layer string) bool { return strings.HasPrefix(layer, "ALE_") }
func isV4(layer string) bool  { return strings.HasSuffix(layer, "_V4") }

// DecodeScenario parses and validates a scenario. Every error is a *labs.InputError whose
// Field is the JSON path of the offending value ("filters[2].weight") and whose Offset is
// the byte offset where that value starts.
func DecodeScenario(src []byte) (*Scenario, error) {
	root, err := parseTree(src)
	if err != nil {
		return nil, err
	}
	return scenarioFromTree(root, "")
}

func scenarioFromTree(root *node, base string) (*Scenario, error) {
	m, err := object(root, base, "name", "description", "layer", "phase", "options", "sublayers", "callouts", "filters", "packet")
	if err != nil {
		return nil, err
	}
	p := func(k string) string { return joinPath(base, k) }
	s := &Scenario{Options: DefaultOptions()}
	for _, k := range []string{"name", "description"} {
		if n, ok := m[k]; ok {
			if _, err := asString(n, p(k)); err != nil {
				return nil, err
			}
		}
	}
	ln, ok := m["layer"]
	if !ok {
		return nil, &labs.InputError{Offset: root.off, Field: p("layer"), Message: "required (for example \"ALE_AUTH_CONNECT_V4\")"}
	}
	if s.Layer, err = asString(ln, p("layer")); err != nil {
		return nil, err
	}
	s.Layer = strings.TrimPrefix(s.Layer, "FWPM_LAYER_")
	if !knownLayer(s.Layer) {
		return nil, fieldErr(ln, p("layer"), fmt.Sprintf("unknown layer %q: use a kernel layer name such as ALE_AUTH_CONNECT_V4, ALE_AUTH_RECV_ACCEPT_V6 or OUTBOUND_TRANSPORT_V4", s.Layer))
	}
	if n, ok := m["phase"]; ok {
		ph, err := asString(n, p("phase"))
		if err != nil {
			return nil, err
		}
		switch ph {
		case "running":
			s.Phase = PhaseRunning
		case "boot":
			s.Phase = PhaseBoot
		default:
			return nil, fieldErr(n, p("phase"), fmt.Sprintf("must be \"running\" or \"boot\", not %q", ph))
		}
	}
	if n, ok := m["options"]; ok {
		if err := decodeOptions(n, p("options"), &s.Options); err != nil {
			return nil, err
		}
	}
	if n, ok := m["sublayers"]; ok {
		if err := decodeSublayers(n, p("sublayers"), s); err != nil {
			return nil, err
		}
	}
	if n, ok := m["callouts"]; ok {
		if err := decodeCallouts(n, p("callouts"), s); err != nil {
			return nil, err
		}
	}
	if n, ok := m["filters"]; ok {
		items, err := asArray(n, p("filters"), MaxFilters)
		if err != nil {
			return nil, err
		}
		firstID := map[uint64]int{}
		for i, fn := range items {
			fp := fmt.Sprintf("%s[%d]", p("filters"), i)
			f, err := decodeFilter(fn, fp, s)
			if err != nil {
				return nil, err
			}
			if j, dup := firstID[f.ID]; dup {
				idn, _ := object(fn, fp, filterKeys()...)
				return nil, fieldErr(idn["id"], fp+".id", fmt.Sprintf("duplicate filter id %d (also filters[%d])", f.ID, j))
			}
			firstID[f.ID] = i
			f.index = i
			s.Filters = append(s.Filters, *f)
		}
	}
	if n, ok := m["packet"]; ok {
		if err := decodePacket(n, p("packet"), s); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func decodeOptions(n *node, path string, o *Options) error {
	m, err := object(n, path, "stopAtHardBlock", "autoWeight", "defaultVerdict", "unregisteredBlockHard",
		"builtinSublayerWeights", "orOnlyConsecutive", "caseInsensitiveAppId")
	if err != nil {
		return err
	}
	bools := []struct {
		key string
		dst *bool
	}{
		{"stopAtHardBlock", &o.StopAtHardBlock},
		{"unregisteredBlockHard", &o.UnregisteredBlockHard},
		{"orOnlyConsecutive", &o.OrOnlyConsecutive},
		{"caseInsensitiveAppId", &o.CaseInsensitiveStrings},
	}
	for _, b := range bools {
		if v, ok := m[b.key]; ok {
			if *b.dst, err = asBool(v, joinPath(path, b.key)); err != nil {
				return err
			}
		}
	}
	if v, ok := m["autoWeight"]; ok {
		s, err := asString(v, joinPath(path, "autoWeight"))
		if err != nil {
			return err
		}
		if s != "specificity" && s != "zero" {
			return fieldErr(v, joinPath(path, "autoWeight"), fmt.Sprintf("must be \"specificity\" or \"zero\", not %q", s))
		}
		o.AutoWeight = s
	}
	if v, ok := m["defaultVerdict"]; ok {
		s, err := asString(v, joinPath(path, "defaultVerdict"))
		if err != nil {
			return err
		}
		if s != "permit" && s != "block" {
			return fieldErr(v, joinPath(path, "defaultVerdict"), fmt.Sprintf("must be \"permit\" or \"block\", not %q", s))
		}
		o.DefaultVerdict = s
	}
	if v, ok := m["builtinSublayerWeights"]; ok {
		bp := joinPath(path, "builtinSublayerWeights")
		bm, err := object(v, bp, "universal", "inspection")
		if err != nil {
			return err
		}
		if w, ok := bm["universal"]; ok {
			x, err := asUint(w, bp+".universal", 0xFFFF)
			if err != nil {
				return err
			}
			o.UniversalWeight = uint16(x)
		}
		if w, ok := bm["inspection"]; ok {
			x, err := asUint(w, bp+".inspection", 0xFFFF)
			if err != nil {
				return err
			}
			o.InspectionWeight = uint16(x)
		}
	}
	return nil
}

func decodeSublayers(n *node, path string, s *Scenario) error {
	items, err := asArray(n, path, MaxSublayers)
	if err != nil {
		return err
	}
	seen := map[string]int{}
	for i, it := range items {
		ip := fmt.Sprintf("%s[%d]", path, i)
		m, err := object(it, ip, "key", "name", "weight")
		if err != nil {
			return err
		}
		kn, ok := m["key"]
		if !ok {
			return fieldErr(it, ip+".key", "required")
		}
		key, err := asString(kn, ip+".key")
		if err != nil {
			return err
		}
		if key == "" {
			return fieldErr(kn, ip+".key", "must not be empty")
		}
		if key == SublayerUniversal || key == SublayerInspection {
			return fieldErr(kn, ip+".key", key+" is built in; set its weight with options.builtinSublayerWeights")
		}
		if j, dup := seen[key]; dup {
			return fieldErr(kn, ip+".key", fmt.Sprintf("duplicate sublayer key %q (also sublayers[%d])", key, j))
		}
		seen[key] = i
		if nn, ok := m["name"]; ok {
			if _, err := asString(nn, ip+".name"); err != nil {
				return err
			}
		}
		wn, ok := m["weight"]
		if !ok {
			return fieldErr(it, ip+".weight", "required (a UINT16, 0..65535; higher is evaluated first)")
		}
		w, err := asUint(wn, ip+".weight", 0xFFFF)
		if err != nil {
			return err
		}
		s.Sublayers = append(s.Sublayers, Sublayer{Key: key, Weight: uint16(w)})
	}
	return nil
}

func decodeCallouts(n *node, path string, s *Scenario) error {
	items, err := asArray(n, path, MaxCallouts)
	if err != nil {
		return err
	}
	seen := map[string]int{}
	for i, it := range items {
		ip := fmt.Sprintf("%s[%d]", path, i)
		m, err := object(it, ip, "key", "name", "registered", "behavior")
		if err != nil {
			return err
		}
		kn, ok := m["key"]
		if !ok {
			return fieldErr(it, ip+".key", "required")
		}
		key, err := asString(kn, ip+".key")
		if err != nil {
			return err
		}
		if key == "" {
			return fieldErr(kn, ip+".key", "must not be empty")
		}
		if j, dup := seen[key]; dup {
			return fieldErr(kn, ip+".key", fmt.Sprintf("duplicate callout key %q (also callouts[%d])", key, j))
		}
		seen[key] = i
		if nn, ok := m["name"]; ok {
			if _, err := asString(nn, ip+".name"); err != nil {
				return err
			}
		}
		c := Callout{Key: key, Registered: true}
		if rn, ok := m["registered"]; ok {
			if c.Registered, err = asBool(rn, ip+".registered"); err != nil {
				return err
			}
		}
		bn, ok := m["behavior"]
		if !ok {
			return fieldErr(it, ip+".behavior", "required: \"compliant-block\", \"compliant-permit\", \"continue\", \"veto\" or {\"act\":...,\"clearWrite\":...,\"absorb\":...}")
		}
		if c.Behavior, err = decodeBehavior(bn, ip+".behavior"); err != nil {
			return err
		}
		s.Callouts = append(s.Callouts, c)
	}
	return nil
}

func parseAct(n *node, path string) (Act, error) {
	a, err := asString(n, path)
	if err != nil {
		return 0, err
	}
	switch a {
	case "block":
		return ActBlock, nil
	case "permit":
		return ActPermit, nil
	case "continue":
		return ActContinue, nil
	}
	return 0, fieldErr(n, path, fmt.Sprintf("must be \"block\", \"permit\" or \"continue\", not %q", a))
}

func decodeBehavior(n *node, path string) (Behavior, error) {
	if n.kind == 's' {
		switch n.str {
		case "compliant-block":
			return Behavior{Name: n.str, Compliant: true, Act: ActBlock, ClearWrite: true}, nil
		case "compliant-permit":
			return Behavior{Name: n.str, Compliant: true, Act: ActPermit}, nil
		case "continue":
			return Behavior{Name: n.str, Act: ActContinue}, nil
		case "veto":
			return Behavior{Name: n.str, Act: ActBlock, ClearWrite: true}, nil
		}
		return Behavior{}, fieldErr(n, path, fmt.Sprintf("unknown behavior %q: use \"compliant-block\", \"compliant-permit\", \"continue\", \"veto\" or an object", n.str))
	}
	m, err := object(n, path, "act", "clearWrite", "absorb")
	if err != nil {
		return Behavior{}, err
	}
	b := Behavior{Name: "custom"}
	an, ok := m["act"]
	if !ok {
		return b, fieldErr(n, path+".act", "required: \"block\", \"permit\" or \"continue\"")
	}
	if b.Act, err = parseAct(an, path+".act"); err != nil {
		return b, err
	}
	if v, ok := m["clearWrite"]; ok {
		if b.ClearWrite, err = asBool(v, path+".clearWrite"); err != nil {
			return b, err
		}
	}
	if v, ok := m["absorb"]; ok {
		if b.Absorb, err = asBool(v, path+".absorb"); err != nil {
			return b, err
		}
	}
	return b, nil
}

func filterKeys() []string {
	return []string{"id", "name", "sublayer", "weight", "action", "callout", "conditions", "flags"}
}

func decodeFilter(n *node, path string, s *Scenario) (*Filter, error) {
	m, err := object(n, path, filterKeys()...)
	if err != nil {
		return nil, err
	}
	f := &Filter{}
	idn, ok := m["id"]
	if !ok {
		return nil, fieldErr(n, path+".id", "required (a filter id, 1 or more)")
	}
	if f.ID, err = asUint(idn, path+".id", ^uint64(0)); err != nil {
		return nil, err
	}
	if f.ID == 0 {
		return nil, fieldErr(idn, path+".id", "must be 1 or more (0 means \"no filter\" in results)")
	}
	if v, ok := m["name"]; ok {
		if f.Name, err = asString(v, path+".name"); err != nil {
			return nil, err
		}
	}
	f.Sublayer = SublayerUniversal
	if v, ok := m["sublayer"]; ok {
		key, err := asString(v, path+".sublayer")
		if err != nil {
			return nil, err
		}
		if key != "" {
			f.Sublayer = key
		}
		if !s.hasSublayer(f.Sublayer) {
			return nil, fieldErr(v, path+".sublayer", fmt.Sprintf("unknown sublayer %q: declare it in sublayers or use %s / %s", key, SublayerUniversal, SublayerInspection))
		}
	}
	if v, ok := m["weight"]; ok {
		if f.Weight, err = decodeWeight(v, path+".weight"); err != nil {
			return nil, err
		}
	}
	an, ok := m["action"]
	if !ok {
		return nil, fieldErr(n, path+".action", "required: block, permit, callout-terminating, callout-inspection or callout-unknown")
	}
	a, err := asString(an, path+".action")
	if err != nil {
		return nil, err
	}
	switch a {
	case "block":
		f.Action = FABlock
	case "permit":
		f.Action = FAPermit
	case "callout-terminating":
		f.Action = FACalloutTerminating
	case "callout-inspection":
		f.Action = FACalloutInspection
	case "callout-unknown":
		f.Action = FACalloutUnknown
	default:
		return nil, fieldErr(an, path+".action", fmt.Sprintf("unknown action %q: use block, permit, callout-terminating, callout-inspection or callout-unknown", a))
	}
	if v, ok := m["callout"]; ok {
		if !f.Action.IsCallout() {
			return nil, fieldErr(v, path+".callout", "only callout actions name a callout (FWPM_ACTION0.calloutKey)")
		}
		if f.Callout, err = asString(v, path+".callout"); err != nil {
			return nil, err
		}
		if !s.hasCallout(f.Callout) {
			return nil, fieldErr(v, path+".callout", fmt.Sprintf("unknown callout %q: declare it in callouts", f.Callout))
		}
	} else if f.Action.IsCallout() {
		return nil, fieldErr(an, path+".callout", "required for action "+a)
	}
	if v, ok := m["conditions"]; ok {
		items, err := asArray(v, path+".conditions", MaxConditions)
		if err != nil {
			return nil, err
		}
		for i, cn := range items {
			c, err := decodeCondition(cn, fmt.Sprintf("%s.conditions[%d]", path, i), s.Layer)
			if err != nil {
				return nil, err
			}
			f.Conditions = append(f.Conditions, c)
		}
	}
	if v, ok := m["flags"]; ok {
		if err := decodeFlags(v, path+".flags", f); err != nil {
			return nil, err
		}
	}
	return f, nil
}

func (s *Scenario) hasSublayer(key string) bool {
	if key == SublayerUniversal || key == SublayerInspection {
		return true
	}
	for _, sl := range s.Sublayers {
		if sl.Key == key {
			return true
		}
	}
	return false
}

func (s *Scenario) hasCallout(key string) bool {
	for _, c := range s.Callouts {
		if c.Key == key {
			return true
		}
	}
	return false
}

func (s *Scenario) callout(key string) *Callout {
	for i := range s.Callouts {
		if s.Callouts[i].Key == key {
			return &s.Callouts[i]
		}
	}
	return nil
}

// decodeWeight accepts the three FWP_VALUE0 types of FWPM_FILTER0.weight (R18):
// a number (FWP_UINT64), {"range":k} (FWP_UINT8, k <= 15) and null (FWP_EMPTY).
func decodeWeight(n *node, path string) (Weight, error) {
	switch n.kind {
	case 'z':
		return Weight{Kind: WeightEmpty}, nil
	case 'n':
		v, err := asUint(n, path, ^uint64(0))
		return Weight{Kind: WeightUint64, U64: v}, err
	case 's':
		// JavaScript numbers lose precision above 2^53, so the lab page sends large weights as
		// strings: decimal or 0x-prefixed hexadecimal.
		v, err := strconv.ParseUint(n.str, 0, 64)
		if err != nil || strings.Contains(n.str, "_") || strings.HasPrefix(n.str, "0") && len(n.str) > 1 && !strings.HasPrefix(n.str, "0x") {
			return Weight{}, fieldErr(n, path, fmt.Sprintf("%q is not a UINT64 weight (write decimal digits or 0x followed by hex digits)", n.str))
		}
		return Weight{Kind: WeightUint64, U64: v}, nil
	case 'o':
		m, err := object(n, path, "range")
		if err != nil {
			return Weight{}, err
		}
		rn, ok := m["range"]
		if !ok {
			return Weight{}, fieldErr(n, path+".range", "required (0..15)")
		}
		if rn.kind != 'n' {
			return Weight{}, typeErr(rn, path+".range", "a number from 0 to 15")
		}
		v, err := strconv.ParseUint(rn.num.String(), 10, 64)
		if err != nil || v > WeightRangeMax {
			return Weight{}, fieldErr(rn, path+".range", "must be a whole number from 0 to 15 (FWPM_WEIGHT_RANGE_MAX), not "+rn.num.String())
		}
		return Weight{Kind: WeightRange, Range: uint8(v)}, nil
	}
	return Weight{}, typeErr(n, path, "a number or numeric string (FWP_UINT64), {\"range\":0-15} (FWP_UINT8) or null (FWP_EMPTY)")
}

func decodeFlags(n *node, path string, f *Filter) error {
	items, err := asArray(n, path, 16)
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	var boot, persist *node
	for i, it := range items {
		ip := fmt.Sprintf("%s[%d]", path, i)
		fl, err := asString(it, ip)
		if err != nil {
			return err
		}
		if seen[fl] {
			return fieldErr(it, ip, fmt.Sprintf("duplicate flag %q", fl))
		}
		seen[fl] = true
		switch fl {
		case "clear-action-right":
			f.Flags.ClearActionRight = true
		case "permit-if-callout-unregistered":
			// FWPM_FILTER0: only with FWP_ACTION_CALLOUT_TERMINATING or FWP_ACTION_CALLOUT_UNKNOWN (R15).
			if f.Action != FACalloutTerminating && f.Action != FACalloutUnknown {
				return fieldErr(it, ip, "permit-if-callout-unregistered is valid only with action callout-terminating or callout-unknown, not "+f.Action.String())
			}
			f.Flags.PermitIfCalloutUnregistered = true
		case "boottime":
			f.Flags.BootTime, boot = true, it
		case "persistent":
			f.Flags.Persistent, persist = true, it
		case "disabled":
			f.Flags.Disabled = true
		default:
			return fieldErr(it, ip, fmt.Sprintf("unknown flag %q: use clear-action-right, permit-if-callout-unregistered, boottime, persistent or disabled", fl))
		}
	}
	if boot != nil && persist != nil {
		later := boot
		if persist.off > boot.off {
			later = persist
		}
		idx := 0
		for i, it := range items {
			if it == later {
				idx = i
			}
		}
		return fieldErr(later, fmt.Sprintf("%s[%d]", path, idx), "boottime and persistent cannot be combined (FWPM_FILTER_FLAG_BOOTTIME / FWPM_FILTER_FLAG_PERSISTENT)")
	}
	return nil
}

func decodeCondition(n *node, path, layer string) (Condition, error) {
	m, err := object(n, path, "field", "op", "value")
	if err != nil {
		return Condition{}, err
	}
	var c Condition
	fn, ok := m["field"]
	if !ok {
		return c, fieldErr(n, path+".field", "required: one of "+fieldNames)
	}
	if c.Field, err = asString(fn, path+".field"); err != nil {
		return c, err
	}
	fi, ok := fieldByName(c.Field)
	if !ok {
		return c, fieldErr(fn, path+".field", fmt.Sprintf("unknown field %q: use one of %s", c.Field, fieldNames))
	}
	if fi.ALEOnly && !isALE(layer) {
		return c, fieldErr(fn, path+".field", c.Field+" ("+fi.WFPName+") is available only at ALE layers, not "+layer)
	}
	c.Op = "eq"
	if on, ok := m["op"]; ok {
		if c.Op, err = asString(on, path+".op"); err != nil {
			return c, err
		}
		allowed := opsFor(fi.Kind)
		okOp := false
		for _, a := range allowed {
			if a == c.Op {
				okOp = true
			}
		}
		if !okOp {
			msg := fmt.Sprintf("op %q is not available for %s: use %s", c.Op, c.Field, strings.Join(allowed, ", "))
			if fi.Kind == kindAddr && c.Op == "prefix" {
				msg += ` (an address prefix is written as eq with a CIDR value such as "10.0.0.0/8", the FWP_V4_ADDR_MASK form; FWP_MATCH_PREFIX is a string suffix match)`
			}
			return c, fieldErr(on, path+".op", msg)
		}
	}
	vn, ok := m["value"]
	if !ok {
		return c, fieldErr(n, path+".value", "required")
	}
	vp := path + ".value"
	switch fi.Kind {
	case kindNumber:
		if c.Op == "range" {
			lo, hi, err := numRange(vn, vp, fi.Max)
			if err != nil {
				return c, err
			}
			c.Value.Lo, c.Value.Hi = lo, hi
		} else if c.Value.Num, err = asUint(vn, vp, fi.Max); err != nil {
			return c, err
		}
	case kindAddr:
		if c.Op == "range" {
			m, err := object(vn, vp, "low", "high")
			if err != nil {
				return c, err
			}
			if m["low"] == nil || m["high"] == nil {
				return c, fieldErr(vn, vp, "a range needs both low and high")
			}
			lo, err := parseAddr(m["low"], vp+".low", layer)
			if err != nil {
				return c, err
			}
			hi, err := parseAddr(m["high"], vp+".high", layer)
			if err != nil {
				return c, err
			}
			if lo.Compare(hi) > 0 {
				return c, fieldErr(vn, vp, "low must not be above high")
			}
			c.Value.ALo, c.Value.AHi = lo, hi
		} else {
			pfx, err := parsePrefix(vn, vp, layer)
			if err != nil {
				return c, err
			}
			c.Value.Addr = pfx
		}
	case kindString:
		if c.Value.Str, err = asString(vn, vp); err != nil {
			return c, err
		}
		if c.Value.Str == "" {
			return c, fieldErr(vn, vp, "must not be empty")
		}
	}
	return c, nil
}

func numRange(n *node, path string, max uint64) (uint64, uint64, error) {
	m, err := object(n, path, "low", "high")
	if err != nil {
		return 0, 0, err
	}
	if m["low"] == nil || m["high"] == nil {
		return 0, 0, fieldErr(n, path, "a range needs both low and high")
	}
	lo, err := asUint(m["low"], path+".low", max)
	if err != nil {
		return 0, 0, err
	}
	hi, err := asUint(m["high"], path+".high", max)
	if err != nil {
		return 0, 0, err
	}
	if lo > hi {
		return 0, 0, fieldErr(n, path, "low must not be above high")
	}
	return lo, hi, nil
}

// checkFamily keeps addresses consistent with the layer: IPv4 at _V4 layers, IPv6 at _V6 layers
// (where dual-stack sockets show IPv4 peers as IPv4-mapped IPv6 addresses).
func checkFamily(n *node, path, layer string, a ipaddr.Addr) error {
	if isV4(layer) && !a.Is4() {
		return fieldErr(n, path, fmt.Sprintf("%s is not an IPv4 address; %s is an IPv4 layer", a, layer))
	}
	if !isV4(layer) && !a.Is6() {
		return fieldErr(n, path, fmt.Sprintf("%s is not an IPv6 address; %s is an IPv6 layer (write IPv4 peers as ::ffff:a.b.c.d)", a, layer))
	}
	return nil
}

func parseAddr(n *node, path, layer string) (ipaddr.Addr, error) {
	s, err := asString(n, path)
	if err != nil {
		return ipaddr.Addr{}, err
	}
	a, err := ipaddr.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return ipaddr.Addr{}, fieldErr(n, path, fmt.Sprintf("%q is not an IP address", s))
	}
	return a, checkFamily(n, path, layer, a)
}

func parsePrefix(n *node, path, layer string) (ipaddr.Prefix, error) {
	s, err := asString(n, path)
	if err != nil {
		return ipaddr.Prefix{}, err
	}
	if strings.Contains(s, "/") {
		p, err := ipaddr.ParsePrefix(s)
		if err != nil {
			return ipaddr.Prefix{}, fieldErr(n, path, fmt.Sprintf("%q is not an address or CIDR prefix", s))
		}
		return p.Masked(), checkFamily(n, path, layer, p.Addr())
	}
	a, err := parseAddr(n, path, layer)
	if err != nil {
		return ipaddr.Prefix{}, err
	}
	return ipaddr.PrefixFrom(a, a.BitLen()), nil
}

func decodePacket(n *node, path string, s *Scenario) error {
	m, err := object(n, path, "protocol", "remote_addr", "local_addr", "remote_port", "local_port", "app_id")
	if err != nil {
		return err
	}
	nums := []struct {
		key string
		max uint64
		dst **uint64
	}{
		{"protocol", 0xFF, &s.Packet.Protocol},
		{"remote_port", 0xFFFF, &s.Packet.RemotePort},
		{"local_port", 0xFFFF, &s.Packet.LocalPort},
	}
	for _, x := range nums {
		if v, ok := m[x.key]; ok {
			u, err := asUint(v, joinPath(path, x.key), x.max)
			if err != nil {
				return err
			}
			*x.dst = &u
		}
	}
	addrs := []struct {
		key string
		dst **ipaddr.Addr
	}{{"remote_addr", &s.Packet.RemoteAddr}, {"local_addr", &s.Packet.LocalAddr}}
	for _, x := range addrs {
		if v, ok := m[x.key]; ok {
			a, err := parseAddr(v, joinPath(path, x.key), s.Layer)
			if err != nil {
				return err
			}
			*x.dst = &a
		}
	}
	if v, ok := m["app_id"]; ok {
		if !isALE(s.Layer) {
			return fieldErr(v, joinPath(path, "app_id"), "app_id is available only at ALE layers, not "+s.Layer)
		}
		a, err := asString(v, joinPath(path, "app_id"))
		if err != nil {
			return err
		}
		s.Packet.AppID = &a
	}
	return nil
}
