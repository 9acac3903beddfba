package sddl

import (
	"fmt"
	"math/bits"
	"strconv"
	"strings"
)

// Access mask bits shared by every object type
// (https://learn.microsoft.com/en-us/windows/win32/secauthz/access-mask-format,
// https://learn.microsoft.com/en-us/windows/win32/secauthz/standard-access-rights,
// https://learn.microsoft.com/en-us/windows/win32/secauthz/generic-access-rights).
const (
	Delete               uint32 = 0x00010000
	ReadControl          uint32 = 0x00020000
	WriteDAC             uint32 = 0x00040000
	WriteOwner           uint32 = 0x00080000
	Synchronize          uint32 = 0x00100000
	AccessSystemSecurity uint32 = 0x01000000
	MaximumAllowed       uint32 = 0x02000000
	GenericAll           uint32 = 0x10000000
	GenericExecute       uint32 = 0x20000000
	GenericWrite         uint32 = 0x40000000
	GenericRead          uint32 = 0x80000000

	StandardRightsRequired uint32 = 0x000F0000
	StandardRightsAll      uint32 = 0x001F0000
	GenericBits            uint32 = GenericAll | GenericExecute | GenericWrite | GenericRead
)

// Mandatory label policy bits (https://learn.microsoft.com/en-us/windows/win32/api/winnt/ns-winnt-system_mandatory_label_ace).
const (
	NoWriteUp   uint32 = 0x1
	NoReadUp    uint32 = 0x2
	NoExecuteUp uint32 = 0x4
)

// rightCode is one SDDL rights string ("ACE Strings", sddl.h).
type rightCode struct {
	Code  string
	Mask  uint32
	Label bool // only meaningful in mandatory label ACEs
}

// singleRights are the one-bit codes, in ascending bit order: the order in which
// ConvertSecurityDescriptorToStringSecurityDescriptor concatenates them (for example
// "CCDCLCSWRPWPDTLOCRSDRCWDWO" in sc.exe sdshow output, "GXGR" on C:\Windows).
var singleRights = [...]rightCode{
	{"CC", 0x1, false}, {"DC", 0x2, false}, {"LC", 0x4, false}, {"SW", 0x8, false},
	{"RP", 0x10, false}, {"WP", 0x20, false}, {"DT", 0x40, false}, {"LO", 0x80, false},
	{"CR", 0x100, false},
	{"SD", Delete, false}, {"RC", ReadControl, false}, {"WD", WriteDAC, false}, {"WO", WriteOwner, false},
	{"GA", GenericAll, false}, {"GX", GenericExecute, false}, {"GW", GenericWrite, false}, {"GR", GenericRead, false},
	{"NW", NoWriteUp, true}, {"NR", NoReadUp, true}, {"NX", NoExecuteUp, true},
}

// compositeRights are the multi-bit codes. KX equals KR (KEY_EXECUTE == KEY_READ), so a
// formatted mask of 0x20019 prints as KR.
var compositeRights = [...]rightCode{
	{"FA", 0x001F01FF, false}, {"FR", 0x00120089, false}, {"FW", 0x00120116, false}, {"FX", 0x001200A0, false},
	{"KA", 0x000F003F, false}, {"KR", 0x00020019, false}, {"KW", 0x00020006, false}, {"KX", 0x00020019, false},
}

// RightsCodes lists every rights string accepted in an ACE.
func RightsCodes() []string {
	var out []string
	for _, r := range singleRights {
		out = append(out, r.Code)
	}
	for _, r := range compositeRights {
		out = append(out, r.Code)
	}
	return out
}

func rightByCode(code string) (rightCode, bool) {
	for _, r := range singleRights {
		if r.Code == code {
			return r, true
		}
	}
	for _, r := range compositeRights {
		if r.Code == code {
			return r, true
		}
	}
	return rightCode{}, false
}

// parseRights parses the rights field. The returned offset is relative to s and names the
// failing position.
func parseRights(s string) (uint32, int, error) {
	if s == "" {
		return 0, 0, nil
	}
	if strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X") {
		if len(s) == 2 {
			return 0, 2, fmt.Errorf("expected hexadecimal digits after 0x")
		}
		for i := 2; i < len(s); i++ {
			if !isHex(s[i]) {
				return 0, i, fmt.Errorf("expected a hexadecimal digit in the access mask")
			}
		}
		v, err := strconv.ParseUint(s[2:], 16, 32)
		if err != nil {
			return 0, 0, fmt.Errorf("access mask does not fit in 32 bits")
		}
		return uint32(v), 0, nil
	}
	if s[0] >= '0' && s[0] <= '9' {
		for i := 0; i < len(s); i++ {
			if s[i] < '0' || s[i] > '9' {
				return 0, i, fmt.Errorf("expected a decimal digit in the access mask")
			}
		}
		v, err := strconv.ParseUint(s, 10, 32)
		if err != nil {
			return 0, 0, fmt.Errorf("access mask does not fit in 32 bits")
		}
		return uint32(v), 0, nil
	}
	var m uint32
	for i := 0; i < len(s); i += 2 {
		if i+2 > len(s) {
			return 0, i, fmt.Errorf("expected a two-letter rights string (such as FA, GR, RC) or a 0x mask")
		}
		r, ok := rightByCode(s[i : i+2])
		if !ok {
			return 0, i, fmt.Errorf("unknown rights string %q: expected one of %s, or a 0x/decimal mask", s[i:i+2], strings.Join(RightsCodes(), " "))
		}
		m |= r.Mask
	}
	return m, 0, nil
}

// FormatRights renders a mask as ConvertSecurityDescriptorToStringSecurityDescriptor does:
// an exact composite code (FA, KR...), else the concatenation of one-bit codes in ascending
// order, else hex. In mandatory label ACEs the low three bits are NW/NR/NX.
func FormatRights(mask uint32, label bool) string {
	if mask == 0 {
		return ""
	}
	if !label {
		for _, r := range compositeRights {
			if r.Mask == mask {
				return r.Code
			}
		}
	}
	var b strings.Builder
	rest := mask
	for _, r := range singleRights {
		if r.Label != label && r.Mask <= 0x100 {
			continue
		}
		if mask&r.Mask != 0 {
			b.WriteString(r.Code)
			rest &^= r.Mask
		}
	}
	if rest != 0 {
		return fmt.Sprintf("0x%x", mask)
	}
	return b.String()
}

// ObjectType selects how specific rights (the low 16 bits) are named and how generic rights
// are mapped.
type ObjectType string

// Object types of the lab.
const (
	TypeFile      ObjectType = "file"
	TypeDirectory ObjectType = "directory"
	TypeKey       ObjectType = "key"
	TypeProcess   ObjectType = "process"
	TypeService   ObjectType = "service"
	TypeGeneric   ObjectType = "generic"
)

// ObjectTypes lists the accepted types.
var ObjectTypes = [...]ObjectType{TypeFile, TypeDirectory, TypeKey, TypeProcess, TypeService, TypeGeneric}

// ParseObjectType accepts "" (meaning generic) and the names above.
func ParseObjectType(s string) (ObjectType, error) {
	if s == "" {
		return TypeGeneric, nil
	}
	for _, t := range ObjectTypes {
		if string(t) == s {
			return t, nil
		}
	}
	return "", fmt.Errorf("unknown object type %q: expected file, directory, key, process, service or generic", s)
}

// GenericMapping is the GENERIC_MAPPING of an object type.
type GenericMapping struct {
	Read, Write, Execute, All uint32
	// Documented is false when Microsoft Learn does not publish the mapping and the values
	// are observed on Windows 10/11 instead.
	Documented bool
	Source     string
}

// Mapping returns the generic mapping for t.
func Mapping(t ObjectType) GenericMapping {
	switch t {
	case TypeFile, TypeDirectory:
		return GenericMapping{0x00120089, 0x00120116, 0x001200A0, 0x001F01FF, true,
			"https://learn.microsoft.com/en-us/windows/win32/fileio/file-security-and-access-rights"}
	case TypeKey:
		return GenericMapping{0x00020019, 0x00020006, 0x00020019, 0x000F003F, true,
			"https://learn.microsoft.com/en-us/windows/win32/sysinfo/registry-key-security-and-access-rights"}
	case TypeService:
		return GenericMapping{0x0002008D, 0x00020002, 0x00020170, 0x000F01FF, true,
			"https://learn.microsoft.com/en-us/windows/win32/services/service-security-and-access-rights"}
	case TypeProcess:
		return GenericMapping{0x00020410, 0x00020BEA, 0x00121001, 0x001FFFFF, false,
			"https://learn.microsoft.com/en-us/windows/win32/procthread/process-security-and-access-rights"}
	}
	// A model choice for objects without a type: generic rights become the standard rights
	// (STANDARD_RIGHTS_READ/WRITE/EXECUTE are READ_CONTROL; GENERIC_ALL is STANDARD_RIGHTS_ALL).
	return GenericMapping{ReadControl, ReadControl, ReadControl, StandardRightsAll, false,
		"https://learn.microsoft.com/en-us/windows/win32/secauthz/standard-access-rights"}
}

// Map replaces generic bits by the specific rights they stand for (MapGenericMask).
//
//go:noinline
func (g GenericMapping) Map(mask uint32) uint32 {
	out := mask &^ GenericBits
	if mask&GenericRead != 0 {
		out |= g.Read
	}
	if mask&GenericWrite != 0 {
		out |= g.Write
	}
	if mask&GenericExecute != 0 {
		out |= g.Execute
	}
	if mask&GenericAll != 0 {
		out |= g.All
	}
	return out
}

var specificNames = map[ObjectType][16]string{
	TypeFile: {"FILE_READ_DATA", "FILE_WRITE_DATA", "FILE_APPEND_DATA", "FILE_READ_EA", "FILE_WRITE_EA",
		"FILE_EXECUTE", "FILE_DELETE_CHILD", "FILE_READ_ATTRIBUTES", "FILE_WRITE_ATTRIBUTES"},
	TypeDirectory: {"FILE_LIST_DIRECTORY", "FILE_ADD_FILE", "FILE_ADD_SUBDIRECTORY", "FILE_READ_EA", "FILE_WRITE_EA",
		"FILE_TRAVERSE", "FILE_DELETE_CHILD", "FILE_READ_ATTRIBUTES", "FILE_WRITE_ATTRIBUTES"},
	TypeKey: {"KEY_QUERY_VALUE", "KEY_SET_VALUE", "KEY_CREATE_SUB_KEY", "KEY_ENUMERATE_SUB_KEYS", "KEY_NOTIFY",
		"KEY_CREATE_LINK", "", "", "KEY_WOW64_64KEY", "KEY_WOW64_32KEY"},
	TypeProcess: {"PROCESS_TERMINATE", "PROCESS_CREATE_THREAD", "PROCESS_SET_SESSIONID", "PROCESS_VM_OPERATION",
		"PROCESS_VM_READ", "PROCESS_VM_WRITE", "PROCESS_DUP_HANDLE", "PROCESS_CREATE_PROCESS", "PROCESS_SET_QUOTA",
		"PROCESS_SET_INFORMATION", "PROCESS_QUERY_INFORMATION", "PROCESS_SUSPEND_RESUME",
		"PROCESS_QUERY_LIMITED_INFORMATION", "PROCESS_SET_LIMITED_INFORMATION"},
	TypeService: {"SERVICE_QUERY_CONFIG", "SERVICE_CHANGE_CONFIG", "SERVICE_QUERY_STATUS", "SERVICE_ENUMERATE_DEPENDENTS",
		"SERVICE_START", "SERVICE_STOP", "SERVICE_PAUSE_CONTINUE", "SERVICE_INTERROGATE", "SERVICE_USER_DEFINED_CONTROL"},
}

var upperNames = map[uint32]string{
	Delete: "DELETE", ReadControl: "READ_CONTROL", WriteDAC: "WRITE_DAC", WriteOwner: "WRITE_OWNER",
	Synchronize: "SYNCHRONIZE", AccessSystemSecurity: "ACCESS_SYSTEM_SECURITY", MaximumAllowed: "MAXIMUM_ALLOWED",
	GenericAll: "GENERIC_ALL", GenericExecute: "GENERIC_EXECUTE", GenericWrite: "GENERIC_WRITE", GenericRead: "GENERIC_READ",
}

// RightNames names every set bit of mask for object type t, lowest bit first. Bits without
// a name for that type are shown as hex. In a mandatory label ACE pass label=true.
func RightNames(mask uint32, t ObjectType, label bool) []string {
	names := []string{}
	for m := mask; m != 0; m &= m - 1 {
		bit := uint32(1) << bits.TrailingZeros32(m)
		names = append(names, RightName(bit, t, label))
	}
	return names
}

// RightName names one bit.
func RightName(bit uint32, t ObjectType, label bool) string {
	if label {
		switch bit {
		case NoWriteUp:
			return "SYSTEM_MANDATORY_LABEL_NO_WRITE_UP"
		case NoReadUp:
			return "SYSTEM_MANDATORY_LABEL_NO_READ_UP"
		case NoExecuteUp:
			return "SYSTEM_MANDATORY_LABEL_NO_EXECUTE_UP"
		}
	}
	if n, ok := upperNames[bit]; ok {
		return n
	}
	if bit <= 0x8000 {
		if tbl, ok := specificNames[t]; ok {
			if n := tbl[bits.TrailingZeros32(bit)]; n != "" {
				return n
			}
		}
		if t == TypeGeneric {
			return fmt.Sprintf("specific right 0x%x", bit)
		}
	}
	return fmt.Sprintf("0x%x", bit)
}

// CompositeName recognises the well-known combinations of an object type (FILE_ALL_ACCESS,
// KEY_READ, SERVICE_ALL_ACCESS, PROCESS_ALL_ACCESS...), "" if mask is none of them.
func CompositeName(mask uint32, t ObjectType) string {
	type cn struct {
		m uint32
		n string
	}
	var list []cn
	switch t {
	case TypeFile, TypeDirectory:
		list = []cn{{0x1F01FF, "FILE_ALL_ACCESS (Full control)"}, {0x1301BF, "Modify"}, {0x1200A9, "Read & execute"},
			{0x120089, "FILE_GENERIC_READ (Read)"}, {0x120116, "FILE_GENERIC_WRITE (Write)"}, {0x1200A0, "FILE_GENERIC_EXECUTE"}}
	case TypeKey:
		list = []cn{{0xF003F, "KEY_ALL_ACCESS (Full control)"}, {0x20019, "KEY_READ / KEY_EXECUTE (Read)"}, {0x20006, "KEY_WRITE"}}
	case TypeService:
		list = []cn{{0xF01FF, "SERVICE_ALL_ACCESS"}, {0x2008D, "GENERIC_READ as mapped for services"},
			{0x20170, "GENERIC_EXECUTE as mapped for services"}}
	case TypeProcess:
		list = []cn{{0x1FFFFF, "PROCESS_ALL_ACCESS"}}
	}
	for _, c := range list {
		if c.m == mask {
			return c.n
		}
	}
	return ""
}
