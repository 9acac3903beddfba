package access

import (
	"testing"

	"ntatlas/internal/labs/sddl"
)

// FuzzCheck runs every preset against arbitrary descriptors and masks: no panics, a denied
// check always reports 0x00000000, and every step cites a page.
func FuzzCheck(f *testing.F) {
	for _, s := range sddl.Samples() {
		f.Add(s.SDDL, uint32(0x120089))
	}
	f.Add("O:BAG:BAD:(XD;;FA;;;WD;(!(@Resource.a Any_of {1,2}) || Member_of_Any {SID(BA)}))S:(RA;;;;;WD;(\"a\",TI,0,1))", uint32(0x02000000))
	f.Add("O:OWG:SYD:(A;;FR;;;OW)(D;;WD;;;OW)S:(ML;;NWNRNX;;;HI)", uint32(0x10000000))
	f.Fuzz(func(t *testing.T, s string, desired uint32) {
		sd, err := sddl.Parse(s)
		if err != nil {
			return
		}
		for _, p := range Presets() {
			for _, typ := range sddl.ObjectTypes {
				r, err := Check(sd, &p.Token, desired, Options{Type: typ, BackupIntent: true})
				if err != nil {
					t.Fatalf("preset %s: %v", p.Name, err)
				}
				if !r.Granted && r.GrantedMask != "0x00000000" {
					t.Fatalf("denied with mask %s", r.GrantedMask)
				}
				if len(r.Steps) == 0 || r.Steps[len(r.Steps)-1].Rule != "result" {
					t.Fatalf("no result step")
				}
			}
		}
	})
}
