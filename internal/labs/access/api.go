package access

import (
	"fmt"
	"strconv"
	"strings"

	"ntatlas/internal/labs"
	"ntatlas/internal/labs/sddl"
)

// CheckRequest is the request of the "check" op. Exactly one of token, preset and whoami
// gives the token.
type CheckRequest struct {
	SD           string `json:"sd"`
	Token        *Token `json:"token,omitempty"`
	Preset       string `json:"preset,omitempty"`
	Whoami       string `json:"whoami,omitempty"`
	Desired      string `json:"desired"`
	Type         string `json:"type,omitempty"`
	BackupIntent bool   `json:"backupIntent,omitempty"`
}

// ImportRequest is the request of the "import-whoami" op.
type ImportRequest struct {
	Text string `json:"text"`
}

// Handle runs an op of the access engine:
//
//	"check"         CheckRequest → Result {granted, grantedMask, desiredMask, grantedRights, steps}
//	"presets"       → []Preset
//	"import-whoami" {text} → ImportResult {token, warnings}
//	"exercises"     → []Exercise
//	"exercise"      ExerciseAnswer → ExerciseResult
func Handle(op string, req []byte) (any, error) {
	switch op {
	case "check":
		var r CheckRequest
		if err := labs.Decode(req, &r); err != nil {
			return nil, err
		}
		return RunCheck(r)
	case "presets":
		return Presets(), nil
	case "import-whoami":
		var r ImportRequest
		if err := labs.Decode(req, &r); err != nil {
			return nil, err
		}
		return ImportWhoami(r.Text)
	case "exercises":
		return Exercises(), nil
	case "exercise":
		var r ExerciseAnswer
		if err := labs.Decode(req, &r); err != nil {
			return nil, err
		}
		return CheckExercise(r)
	}
	return nil, &labs.ErrUnknownOp{Engine: "access", Op: op}
}

// RunCheck validates a CheckRequest and runs the engine.
func RunCheck(r CheckRequest) (Result, error) {
	typ, err := sddl.ParseObjectType(r.Type)
	if err != nil {
		return Result{}, &labs.InputError{Offset: -1, Field: "type", Message: err.Error()}
	}
	sd, err := sddl.Parse(r.SD)
	if err != nil {
		return Result{}, sddl.ToInputError(err, "sd")
	}
	desired, err := ParseDesired(r.Desired)
	if err != nil {
		return Result{}, &labs.InputError{Offset: -1, Field: "desired", Message: err.Error()}
	}
	tok, err := pickToken(r.Token, r.Preset, r.Whoami)
	if err != nil {
		return Result{}, err
	}
	return Check(sd, &tok, desired, Options{Type: typ, BackupIntent: r.BackupIntent})
}

func pickToken(t *Token, preset, whoami string) (Token, error) {
	n := 0
	if t != nil {
		n++
	}
	if preset != "" {
		n++
	}
	if whoami != "" {
		n++
	}
	if n != 1 {
		return Token{}, &labs.InputError{Offset: -1, Field: "token", Message: "expected exactly one of token, preset or whoami"}
	}
	switch {
	case t != nil:
		return *t, nil
	case preset != "":
		p, ok := PresetByName(preset)
		if !ok {
			return Token{}, &labs.InputError{Offset: -1, Field: "preset",
				Message: fmt.Sprintf("unknown preset %q: expected one of %s", preset, strings.Join(PresetNames(), ", "))}
		}
		return p, nil
	}
	res, err := ImportWhoami(whoami)
	if err != nil {
		if ie, ok := err.(*labs.InputError); ok {
			ie.Field = "whoami " + ie.Field
		}
		return Token{}, err
	}
	return res.Token, nil
}

// rightNames maps the winnt.h names accepted in --desired to bits.
var rightNames = map[string]uint32{
	"DELETE": sddl.Delete, "READ_CONTROL": sddl.ReadControl, "WRITE_DAC": sddl.WriteDAC, "WRITE_OWNER": sddl.WriteOwner,
	"SYNCHRONIZE": sddl.Synchronize, "ACCESS_SYSTEM_SECURITY": sddl.AccessSystemSecurity,
	"MAXIMUM_ALLOWED": sddl.MaximumAllowed, "GENERIC_ALL": sddl.GenericAll, "GENERIC_EXECUTE": sddl.GenericExecute,
	"GENERIC_WRITE": sddl.GenericWrite, "GENERIC_READ": sddl.GenericRead,
	"FILE_READ_DATA": 0x1, "FILE_LIST_DIRECTORY": 0x1, "FILE_WRITE_DATA": 0x2, "FILE_ADD_FILE": 0x2,
	"FILE_APPEND_DATA": 0x4, "FILE_ADD_SUBDIRECTORY": 0x4, "FILE_READ_EA": 0x8, "FILE_WRITE_EA": 0x10,
	"FILE_EXECUTE": 0x20, "FILE_TRAVERSE": 0x20, "FILE_DELETE_CHILD": 0x40, "FILE_READ_ATTRIBUTES": 0x80,
	"FILE_WRITE_ATTRIBUTES": 0x100, "FILE_ALL_ACCESS": 0x1F01FF, "FILE_GENERIC_READ": 0x120089,
	"FILE_GENERIC_WRITE": 0x120116, "FILE_GENERIC_EXECUTE": 0x1200A0,
	"KEY_QUERY_VALUE": 0x1, "KEY_SET_VALUE": 0x2, "KEY_CREATE_SUB_KEY": 0x4, "KEY_ENUMERATE_SUB_KEYS": 0x8,
	"KEY_NOTIFY": 0x10, "KEY_CREATE_LINK": 0x20, "KEY_READ": 0x20019, "KEY_WRITE": 0x20006, "KEY_ALL_ACCESS": 0xF003F,
	"PROCESS_TERMINATE": 0x1, "PROCESS_VM_READ": 0x10, "PROCESS_VM_WRITE": 0x20, "PROCESS_QUERY_INFORMATION": 0x400,
	"PROCESS_QUERY_LIMITED_INFORMATION": 0x1000, "PROCESS_ALL_ACCESS": 0x1FFFFF,
	"SERVICE_QUERY_CONFIG": 0x1, "SERVICE_CHANGE_CONFIG": 0x2, "SERVICE_QUERY_STATUS": 0x4, "SERVICE_START": 0x10,
	"SERVICE_STOP": 0x20, "SERVICE_ALL_ACCESS": 0xF01FF,
}

// ParseDesired accepts a hex or decimal mask, SDDL rights strings ("FR", "GRGW") or winnt.h
// names joined with '|' ("READ_CONTROL|WRITE_DAC").
func ParseDesired(s string) (uint32, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, fmt.Errorf("expected the desired access: a mask such as 0x00120089, rights such as FR, or names such as READ_CONTROL|WRITE_DAC")
	}
	var m uint32
	for _, part := range strings.Split(s, "|") {
		part = strings.TrimSpace(part)
		if v, ok := rightNames[strings.ToUpper(part)]; ok {
			m |= v
			continue
		}
		if strings.HasPrefix(part, "0x") || strings.HasPrefix(part, "0X") || (part != "" && part[0] >= '0' && part[0] <= '9') {
			base, digits := 10, part
			if strings.HasPrefix(part, "0x") || strings.HasPrefix(part, "0X") {
				base, digits = 16, part[2:]
			}
			v, err := strconv.ParseUint(digits, base, 32)
			if err != nil {
				return 0, fmt.Errorf("expected a 32-bit mask, found %q", part)
			}
			m |= uint32(v)
			continue
		}
		v, err := sddl.ParseMask(part)
		if err != nil {
			return 0, fmt.Errorf("unknown right %q: use a hex mask, SDDL rights (FR, GA...) or a winnt.h name (READ_CONTROL...)", part)
		}
		m |= v
	}
	return m, nil
}
