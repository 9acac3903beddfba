package access

import (
	"fmt"
	"strings"

	"ntatlas/internal/labs"
	"ntatlas/internal/labs/sddl"
)

// Exercise is one task of the lab. Kind "predict": the learner says whether the check is
// granted or denied before running it. Kind "edit": the learner submits a modified SDDL.
type Exercise struct {
	ID       string `json:"id"`
	Kind     string `json:"kind"`
	Title    string `json:"title"`
	Question string `json:"question"`
	SD       string `json:"sd"`
	Preset   string `json:"preset,omitempty"`
	Desired  string `json:"desired,omitempty"`
	Type     string `json:"type"`
	Hint     string `json:"hint"`
}

// ExerciseAnswer is the request of the "exercise" op: prediction ("granted" or "denied") for
// predict exercises, sddl for edit exercises.
//
// The id "custom" checks a prediction about any check the learner set up (for example with
// a descriptor and a whoami text from their own machine): check holds the request.
type ExerciseAnswer struct {
	ID         string        `json:"id"`
	Prediction string        `json:"prediction,omitempty"`
	SDDL       string        `json:"sddl,omitempty"`
	Check      *CheckRequest `json:"check,omitempty"`
}

// ExerciseCheck is one verified condition of an answer.
type ExerciseCheck struct {
	Name   string  `json:"name"`
	Pass   bool    `json:"pass"`
	Detail string  `json:"detail"`
	Result *Result `json:"result,omitempty"`
}

// ExerciseResult says whether the answer passes and why.
type ExerciseResult struct {
	ID          string          `json:"id"`
	Pass        bool            `json:"pass"`
	Explanation string          `json:"explanation"`
	Checks      []ExerciseCheck `json:"checks"`
}

const usersStart = "O:BAG:SYD:PAI(A;;FA;;;SY)(A;;FA;;;BA)(A;;FA;;;BU)"

// Exercises lists the lab's exercises.
func Exercises() []Exercise {
	return []Exercise{
		{ID: "users-read-not-write", Kind: "edit", Title: "Users can read but not write",
			Question: "This file gives BUILTIN\\Users full control. Change one ACE so that Users can read the file but not write to it, leaving SYSTEM and Administrators as they are.",
			SD:       usersStart, Type: "file",
			Hint: "Replace FA in the BU ACE by the read rights (FR) or by read and execute (0x1200a9). A deny ACE for FW would also block READ_CONTROL and SYNCHRONIZE, which reads need."},
		{ID: "deny-write-blocks-read", Kind: "predict", Title: "A deny that reaches too far",
			Question: "A standard user asks for FILE_GENERIC_READ. Granted or denied?",
			SD:       "O:BAG:SYD:(D;;FW;;;BU)(A;;FA;;;AU)", Preset: "standard-user", Desired: "FILE_GENERIC_READ", Type: "file",
			Hint: "Compare the bits of FW (0x120116) and FR (0x120089)."},
		{ID: "uac-deny-only", Kind: "predict", Title: "Administrator, but filtered",
			Question: "An administrator in a normal (UAC-filtered) session asks to write to a file that only Administrators may write. Granted or denied?",
			SD:       "O:SYG:SYD:(A;;FA;;;SY)(A;;FA;;;BA)(A;;0x1200a9;;;BU)", Preset: "uac-filtered-admin", Desired: "FILE_GENERIC_WRITE", Type: "file",
			Hint: "Look at the attributes of BUILTIN\\Administrators in the filtered token."},
		{ID: "owner-write-dac", Kind: "predict", Title: "The owner and an unfriendly DACL",
			Question: "The file is owned by the user but its DACL only mentions SYSTEM. The user asks for WRITE_DAC. Granted or denied?",
			SD:       "O:" + exampleUser + "G:SYD:(A;;FA;;;SY)", Preset: "standard-user", Desired: "WRITE_DAC", Type: "file",
			Hint: "Owners have implicit rights unless the DACL names OWNER RIGHTS."},
		{ID: "low-integrity-write", Kind: "predict", Title: "Low integrity against Everyone: full control",
			Question: "An AppContainer app (low integrity) asks to write to a file whose DACL gives Everyone and ALL APPLICATION PACKAGES full control but which has no label. Granted or denied?",
			SD:       "O:BAG:SYD:(A;;FA;;;WD)(A;;FA;;;AC)", Preset: "appcontainer", Desired: "FILE_WRITE_DATA", Type: "file",
			Hint: "What integrity level does an unlabelled object have, and what is the default policy?"},
		{ID: "empty-dacl", Kind: "predict", Title: "Empty is not NULL",
			Question: "SYSTEM asks for READ_CONTROL and WRITE_DAC on a file whose DACL is empty (D:, no ACEs) and whose owner is Administrators. Granted or denied?",
			SD:       "O:BAG:BAD:", Preset: "system", Desired: "READ_CONTROL|WRITE_DAC", Type: "file",
			Hint: "An empty DACL grants nothing, but SYSTEM's token contains BUILTIN\\Administrators, the owner, and owners can always read and rewrite the DACL."},
	}
}

func exerciseByID(id string) (Exercise, bool) {
	for _, e := range Exercises() {
		if e.ID == id {
			return e, true
		}
	}
	return Exercise{}, false
}

// CheckExercise verifies an answer with the engine.
func CheckExercise(a ExerciseAnswer) (ExerciseResult, error) {
	if a.ID == "custom" {
		if a.Check == nil {
			return ExerciseResult{}, &labs.InputError{Offset: -1, Field: "check", Message: "expected the check request the prediction is about"}
		}
		c := *a.Check
		return checkPrediction(Exercise{ID: "custom", SD: c.SD, Desired: c.Desired, Type: c.Type}, a, &c)
	}
	ex, ok := exerciseByID(a.ID)
	if !ok {
		var ids []string
		for _, e := range Exercises() {
			ids = append(ids, e.ID)
		}
		return ExerciseResult{}, &labs.InputError{Offset: -1, Field: "id", Message: fmt.Sprintf("unknown exercise %q: expected one of %s", a.ID, strings.Join(ids, ", "))}
	}
	if ex.Kind == "predict" {
		return checkPrediction(ex, a, nil)
	}
	return checkUsersReadNotWrite(ex, a)
}

func checkPrediction(ex Exercise, a ExerciseAnswer, req *CheckRequest) (ExerciseResult, error) {
	if a.Prediction != "granted" && a.Prediction != "denied" {
		return ExerciseResult{}, &labs.InputError{Offset: -1, Field: "prediction", Message: `expected "granted" or "denied"`}
	}
	if req == nil {
		req = &CheckRequest{SD: ex.SD, Preset: ex.Preset, Desired: ex.Desired, Type: ex.Type}
	}
	res, err := RunCheck(*req)
	if err != nil {
		if ie, ok := err.(*labs.InputError); ok && ex.ID == "custom" {
			ie.Field = "check." + ie.Field
		}
		return ExerciseResult{}, err
	}
	actual := "denied"
	if res.Granted {
		actual = "granted"
	}
	pass := actual == a.Prediction
	verdict := "Right"
	if !pass {
		verdict = "Not quite"
	}
	return ExerciseResult{ID: ex.ID, Pass: pass,
		Explanation: fmt.Sprintf("%s: the engine says %s. %s", verdict, actual, decisive(res)),
		Checks:      []ExerciseCheck{{Name: "prediction", Pass: pass, Detail: "you said " + a.Prediction + ", the access check says " + actual, Result: &res}}}, nil
}

// decisive is the message of the step that settled the check.
func decisive(r Result) string {
	for i := len(r.Steps) - 1; i >= 0; i-- {
		s := r.Steps[i]
		if s.Rule != "result" && (s.Effect == "deny" || s.Effect == "grant") {
			return s.Message
		}
	}
	return ""
}

func checkUsersReadNotWrite(ex Exercise, a ExerciseAnswer) (ExerciseResult, error) {
	res := ExerciseResult{ID: ex.ID, Checks: []ExerciseCheck{}}
	sd, err := sddl.Parse(a.SDDL)
	if err != nil {
		return res, sddl.ToInputError(err, "sddl")
	}
	start, _ := sddl.Parse(ex.SD)

	// Shape: same owner, group, flags and SACL; the same number of ACEs; exactly one differs.
	shape := ExerciseCheck{Name: "one ACE changed", Pass: true}
	switch {
	case sd.DACL == nil || sd.DACL.Null:
		shape.Pass, shape.Detail = false, "the answer must keep a DACL with ACEs"
	case !sidEq(sd.Owner, start.Owner) || !sidEq(sd.Group, start.Group) ||
		strings.Join(sd.DACL.Flags(), "") != strings.Join(start.DACL.Flags(), "") || sd.SACL != nil:
		shape.Pass, shape.Detail = false, "change only an ACE: keep O:BA, G:SY, the PAI flags and no SACL"
	case len(sd.DACL.ACEs) != len(start.DACL.ACEs):
		shape.Pass, shape.Detail = false, fmt.Sprintf("the DACL has %d ACEs; it should still have %d (change one, do not add or remove)", len(sd.DACL.ACEs), len(start.DACL.ACEs))
	default:
		var changed []int
		for i := range sd.DACL.ACEs {
			if sd.DACL.ACEs[i].String() != start.DACL.ACEs[i].String() {
				changed = append(changed, i)
			}
		}
		if len(changed) != 1 {
			shape.Pass, shape.Detail = false, fmt.Sprintf("%d ACEs differ from the original; change exactly one", len(changed))
		} else {
			shape.Detail = fmt.Sprintf("ACE %d changed from %s to %s", changed[0], start.DACL.ACEs[changed[0]].String(), sd.DACL.ACEs[changed[0]].String())
		}
	}
	res.Checks = append(res.Checks, shape)

	users, _ := PresetByName("standard-user")
	admin, _ := PresetByName("elevated-admin")
	system, _ := PresetByName("system")
	run := func(name string, tok Token, desired uint32, wantGranted bool, what string) {
		r, err := Check(sd, &tok, desired, Options{Type: sddl.TypeFile})
		c := ExerciseCheck{Name: name}
		if err != nil {
			c.Detail = err.Error()
		} else {
			c.Pass = r.Granted == wantGranted
			c.Result = &r
			verb := "denied"
			if r.Granted {
				verb = "granted"
			}
			c.Detail = fmt.Sprintf("%s: %s. %s", what, verb, decisive(r))
		}
		res.Checks = append(res.Checks, c)
	}
	run("users can read", users, 0x00120089, true, "a standard user asking for FILE_GENERIC_READ")
	run("users cannot write data", users, 0x2, false, "a standard user asking for FILE_WRITE_DATA")
	run("users cannot append", users, 0x4, false, "a standard user asking for FILE_APPEND_DATA")
	run("administrators keep full control", admin, 0x001F01FF, true, "an elevated administrator asking for FILE_ALL_ACCESS")
	run("SYSTEM keeps full control", system, 0x001F01FF, true, "SYSTEM asking for FILE_ALL_ACCESS")

	res.Pass = true
	var failed []string
	for _, c := range res.Checks {
		if !c.Pass {
			res.Pass = false
			failed = append(failed, c.Name+" ("+c.Detail+")")
		}
	}
	if res.Pass {
		res.Explanation = "Passed: the engine confirms that Users can read but not write, and SYSTEM and Administrators keep full control."
	} else {
		res.Explanation = "Not yet: " + strings.Join(failed, "; ")
	}
	return res, nil
}

func sidEq(a, b *sddl.SID) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}
