// Package wfp is a deterministic model of Windows Filtering Platform filter arbitration at one
// layer: sublayer and filter weight order, Continue, soft and hard decisions through the
// FWPS_RIGHT_ACTION_WRITE right, vetoes, callout action coercion, unregistered callouts,
// automatic and ranged weights, AND/OR of conditions and boot-time versus persistent filters.
//
// The rules come from Microsoft Learn (labelled "documented" in every trace entry) and from the
// gaps the documentation leaves open, which the engine resolves with configurable defaults
// (labelled "model"). The specification is /work/shared/research/networking.md §2; the rule ids
// R1..R23 and G1..G10 used in traces are the ones of that specification; R24..R26 and G11..G13
// are ours (see docs/labs/wfp.md).
//
// The package is pure: no I/O, no clock, no randomness; one scenario always gives one result.
package wfp

// Learn pages the rules come from. Trace entries carry one of these as their source.
const (
	URLArbitration      = "https://learn.microsoft.com/en-us/windows/win32/fwp/filter-arbitration"
	URLWeightAssignment = "https://learn.microsoft.com/en-us/windows/win32/fwp/filter-weight-assignment"
	URLWeightIDs        = "https://learn.microsoft.com/en-us/windows/win32/fwp/filter-weight-identifiers"
	URLFilter0          = "https://learn.microsoft.com/en-us/windows/win32/api/fwpmtypes/ns-fwpmtypes-fwpm_filter0"
	URLSublayer0        = "https://learn.microsoft.com/en-us/windows/win32/api/fwpmtypes/ns-fwpmtypes-fwpm_sublayer0"
	URLClassifyOut0     = "https://learn.microsoft.com/en-us/windows/win32/api/fwpstypes/ns-fwpstypes-fwps_classify_out0"
	URLAction0          = "https://learn.microsoft.com/en-us/windows/win32/api/fwpstypes/ns-fwpstypes-fwps_action0"
	URLFwpsFilter0      = "https://learn.microsoft.com/en-us/windows/win32/api/fwpstypes/ns-fwpstypes-fwps_filter0"
	URLBasicOperation   = "https://learn.microsoft.com/en-us/windows/win32/fwp/basic-operation"
	URLSublayerIDs      = "https://learn.microsoft.com/en-us/windows/win32/fwp/management-filtering-sublayer-identifiers"
	URLDeepInspection   = "https://learn.microsoft.com/windows-hardware/drivers/network/using-a-callout-for-deep-inspection"
	URLMatchType        = "https://learn.microsoft.com/en-us/windows/win32/api/fwptypes/ne-fwptypes-fwp_match_type"
	URLALE              = "https://learn.microsoft.com/en-us/windows/win32/fwp/application-layer-enforcement--ale-"
	URLUnregister       = "https://learn.microsoft.com/en-us/windows-hardware/drivers/ddi/fwpsk/nf-fwpsk-fwpscalloutunregisterbyid0"
)

// Labels of trace entries and events.
const (
	Documented = "documented"
	Model      = "model"
)

// Rule is one normative rule (R*) or one model decision (G*) of the specification.
type Rule struct {
	ID     string
	Label  string
	Source string
}

// ruleByID is a constant table in function form (no package-level mutable state).
func ruleByID(id string) Rule {
	switch id {
	case "R1", "R2", "R3", "R4", "R5", "R7", "R8", "R9", "R21":
		return Rule{id, Documented, URLArbitration}
	case "R6", "R10", "R11":
		return Rule{id, Documented, URLClassifyOut0}
	case "R12":
		return Rule{id, Documented, URLAction0}
	case "R14":
		return Rule{id, Documented, URLFwpsFilter0}
	case "R15", "R16", "R22":
		return Rule{id, Documented, URLFilter0}
	case "R17":
		return Rule{id, Documented, URLSublayerIDs}
	case "R18":
		return Rule{id, Documented, URLWeightAssignment}
	case "R19":
		return Rule{id, Documented, URLWeightIDs}
	case "R20":
		return Rule{id, Documented, URLWeightAssignment}
	case "R24": // FWP_MATCH_TYPE semantics (our numbering: not in the research table)
		return Rule{id, Documented, URLMatchType}
	case "R25": // app identity is available only at ALE layers
		return Rule{id, Documented, URLALE}
	case "R26": // filters of an unregistered callout: terminating/unknown act as block, inspection ignored
		return Rule{id, Documented, URLUnregister}
	case "G1", "G2", "G3", "G6", "G7", "G8", "G9", "G10":
		return Rule{id, Model, URLArbitration}
	case "G4", "G5":
		return Rule{id, Model, URLWeightAssignment}
	case "G11", "G12":
		return Rule{id, Model, URLFilter0}
	case "G13":
		return Rule{id, Model, URLMatchType}
	}
	return Rule{id, Model, URLArbitration}
}

// FilterAction is FWPM_ACTION0.type restricted to what a filter can carry.
type FilterAction uint8

const (
	FABlock FilterAction = iota
	FAPermit
	FACalloutTerminating
	FACalloutInspection
	FACalloutUnknown
)

//go:noinline
func (a FilterAction) String() string {
	switch a {
	case FABlock:
		return "block"
	case FAPermit:
		return "permit"
	case FACalloutTerminating:
		return "callout-terminating"
	case FACalloutInspection:
		return "callout-inspection"
	case FACalloutUnknown:
		return "callout-unknown"
	}
	return "?"
}

// IsCallout reports whether the action type has FWP_ACTION_FLAG_CALLOUT.
//
//go:noinline
func (a FilterAction) IsCallout() bool { return a >= FACalloutTerminating }

// Act is what one filter or callout evaluation yields.
type Act uint8

const (
	ActContinue Act = iota
	ActPermit
	ActBlock
)

//go:noinline
func (a Act) String() string {
	switch a {
	case ActPermit:
		return "permit"
	case ActBlock:
		return "block"
	}
	return "continue"
}

// WeightKind is the FWP_VALUE0 type of FWPM_FILTER0.weight.
type WeightKind uint8

const (
	WeightEmpty  WeightKind = iota // FWP_EMPTY: automatic
	WeightUint64                   // FWP_UINT64: used as is
	WeightRange                    // FWP_UINT8 0..15: weight range identifier
)

// Weight is a filter's requested weight.
type Weight struct {
	Kind  WeightKind
	U64   uint64
	Range uint8
}

// Weight constants from Filter Weight Identifiers (R19).
const (
	AutoWeightBits = 60
	AutoWeightMax  = ^uint64(0) >> 4  // FWPM_AUTO_WEIGHT_MAX
	WeightRangeMax = ^uint64(0) >> 60 // FWPM_WEIGHT_RANGE_MAX = 15
)

// FilterFlags are the FWPM_FILTER_FLAG_* values the model knows.
type FilterFlags struct {
	ClearActionRight            bool
	PermitIfCalloutUnregistered bool
	BootTime                    bool
	Persistent                  bool
	Disabled                    bool
}

// Condition is one FWPM_FILTER_CONDITION0: a field, a match type and a value.
type Condition struct {
	Field string
	Op    string
	Value condValue
}

// Filter is one filter of the scenario's layer.
type Filter struct {
	ID         uint64
	Name       string
	Sublayer   string
	Weight     Weight
	Action     FilterAction
	Callout    string
	Conditions []Condition
	Flags      FilterFlags
	index      int // position in the scenario, for error paths
}

// Sublayer is one sublayer of the layer, by key.
type Sublayer struct {
	Key     string
	Weight  uint16
	Builtin bool
}

// Built-in sublayer keys (FWPM_SUBLAYER_*). A filter without sublayer goes to UNIVERSAL (R17).
const (
	SublayerUniversal  = "FWPM_SUBLAYER_UNIVERSAL"
	SublayerInspection = "FWPM_SUBLAYER_INSPECTION"
)

// Behavior is what a callout's classifyFn does. Raw behaviours (Compliant false) return
// Act/ClearWrite/Absorb whatever the rights; compliant ones follow FWPS_FILTER0 (R14).
type Behavior struct {
	Name       string // "compliant-block", "compliant-permit", "continue", "veto" or "custom"
	Compliant  bool
	Act        Act
	ClearWrite bool
	Absorb     bool
}

// Callout is a callout known to the layer.
type Callout struct {
	Key        string
	Registered bool
	Behavior   Behavior
}

// Phase is whether BFE is running yet.
type Phase uint8

const (
	PhaseRunning Phase = iota
	PhaseBoot
)

func (p Phase) String() string {
	if p == PhaseBoot {
		return "boot"
	}
	return "running"
}

// Options are the configurable defaults of the model (§2.2 of the specification).
type Options struct {
	StopAtHardBlock        bool   // G1
	AutoWeight             string // G4: "specificity" or "zero"
	DefaultVerdict         string // G6: what the shim does with no-match / no-decision: "permit" or "block"
	UnregisteredBlockHard  bool   // G8
	UniversalWeight        uint16 // G10
	InspectionWeight       uint16 // G10
	OrOnlyConsecutive      bool   // G11
	CaseInsensitiveStrings bool   // G13
}

// DefaultOptions are the engine defaults of the specification.
func DefaultOptions() Options {
	return Options{
		AutoWeight:             "specificity",
		DefaultVerdict:         "permit",
		UnregisteredBlockHard:  true,
		UniversalWeight:        1,
		InspectionWeight:       0,
		CaseInsensitiveStrings: true,
	}
}

// Scenario is one classification at one layer.
type Scenario struct {
	Layer     string
	Phase     Phase
	Options   Options
	Sublayers []Sublayer
	Callouts  []Callout
	Filters   []Filter
	Packet    Packet
}

// Packet holds the incoming values the shim hands to the filter engine.
type Packet struct {
	Protocol   *uint64
	RemoteAddr *addrValue
	LocalAddr  *addrValue
	RemotePort *uint64
	LocalPort  *uint64
	AppID      *string
}
