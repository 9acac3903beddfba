package content

import (
	"html/template"
	"time"
)

// Level is how much a topic asks of the reader.
type Level int

const (
	Beginner Level = iota + 1
	Intermediate
	Expert
)

var levelNames = map[string]Level{"beginner": Beginner, "intermediate": Intermediate, "expert": Expert}

func (l Level) String() string {
	switch l {
	case Beginner:
		return "beginner"
	case Intermediate:
		return "intermediate"
	case Expert:
		return "expert"
	}
	return "unknown"
}

// Section keys, in the order a topic page shows them.
const (
	SecIn30       = "in30"
	SecSelfCheck  = "selfcheck"
	SecWhy        = "why"
	SecModel      = "model"
	SecDeeper     = "deeper"
	SecHow        = "how"
	SecExample    = "example"
	SecMisconcept = "misconception"
	SecExercise   = "exercise"
)

// sectionHeadings maps the fixed "## " headings authors write to section keys. The example's
// heading carries its own title after "Example:".
var sectionHeadings = map[string]string{
	"In 30 seconds":          SecIn30,
	"You understand this if": SecSelfCheck,
	"Why it matters":         SecWhy,
	"Mental model":           SecModel,
	"Go one level deeper":    SecDeeper,
	"How it works":           SecHow,
	"Common misconception":   SecMisconcept,
	"Guided exercise":        SecExercise,
}

// Section is one rendered part of a topic body.
type Section struct {
	Title string        // only for the example: the situation it names
	HTML  template.HTML // rendered Markdown, raw HTML removed
	Text  string        // plain text, for search and similarity
	Line  int           // line of the heading in the source file
}

// Term is a key term with its definition; terms feed the glossary.
type Term struct {
	Term       string
	Definition string
	Line       int
}

// Block is a "Windows building block": something a learner can find on a real machine.
type Block struct {
	Kind string // file | process | service | component | registry
	Name string
	Path string
	Role string
}

// Schematic is a named diagram with clickable zones.
type Schematic struct {
	Title string
	Zones []Zone
}

// Zone is one clickable part of a schematic.
type Zone struct {
	ID    string
	Title string
	Text  string
	Topic *Topic // may be nil
}

// Checked says which Windows versions the text was checked against, and when.
type Checked struct {
	Windows  []string
	Reviewed time.Time
}

// Topic is one page of the explorer.
type Topic struct {
	ID      string // stable across renames; progress is keyed by it
	Slug    string // path under /explore/
	Title   string
	Summary string
	Level   Level
	Order   int
	File    string

	Related       []*Topic // outgoing, in authored order
	Prerequisites []*Topic
	Labs          []*Lab
	Aliases       []string
	Checked       Checked
	Docs          []*Doc // pinned references, in authored order
	Terms         []Term
	Blocks        []Block
	Schematic     *Schematic
	Sections      map[string]*Section

	Parent   *Topic
	Children []*Topic // ordered by Order, then Title
	Incoming []*Topic // topics that list this one as related
	Depth    int      // 0 for a branch root

	Words          int
	ReadingMinutes int
}

// IsRoot reports whether the topic is a branch root.
func (t *Topic) IsRoot() bool { return t.Parent == nil }

// Root returns the branch root the topic belongs to.
func (t *Topic) Root() *Topic {
	for t.Parent != nil {
		t = t.Parent
	}
	return t
}

// URL is the topic's page.
func (t *Topic) URL() string { return "/explore/" + t.Slug }

// Ancestors returns the chain from the branch root down to the parent.
func (t *Topic) Ancestors() []*Topic {
	var chain []*Topic
	for p := t.Parent; p != nil; p = p.Parent {
		chain = append([]*Topic{p}, chain...)
	}
	return chain
}

// IsAncestorOf reports whether t is a (strict) ancestor of u.
func (t *Topic) IsAncestorOf(u *Topic) bool {
	for p := u.Parent; p != nil; p = p.Parent {
		if p == t {
			return true
		}
	}
	return false
}

// Section returns a section or nil.
func (t *Topic) Section(key string) *Section { return t.Sections[key] }

// PathKind says where a path is shown.
type PathKind string

const (
	PathStart   PathKind = "start"   // the beginner path
	PathBranch  PathKind = "branch"  // a branch's guided path
	PathJourney PathKind = "journey" // a cross-branch journey
)

// Path is a guided path: an ordered list of topics with a reason for each step.
type Path struct {
	ID      string
	Title   string
	Summary string
	Kind    PathKind
	Steps   []Step
	File    string
}

// Step is one step of a path.
type Step struct {
	Topic *Topic
	Why   string
}

// IndexOf returns the 0-based position of the topic in the path, or -1.
func (p *Path) IndexOf(t *Topic) int {
	for i, s := range p.Steps {
		if s.Topic == t {
			return i
		}
	}
	return -1
}

// URL is the path's page.
func (p *Path) URL() string { return "/paths/" + p.ID }

// Doc is an official reference in the catalog.
type Doc struct {
	Title string
	URL   string
	About string
	Tags  []string
	File  string
}

// Lab is a hands-on exercise page.
type Lab struct {
	Slug    string
	Title   string
	Summary string
	Kind    string // browser | windows
	Engine  string
	Topics  []*Topic
	Windows WindowsSteps
	File    string
}

// URL is the lab's page.
func (l *Lab) URL() string { return "/tools/" + l.Slug }

// WindowsSteps is the "On a Windows machine" part of a lab.
type WindowsSteps struct {
	Intro string
	Steps []WindowsStep
}

// WindowsStep is one command to run on a real machine.
type WindowsStep struct {
	Title    string
	Command  string
	Explains string
}

// Home is the home page's architecture map.
type Home struct {
	Promise  string
	Lanes    []Lane
	Boundary MapBlock
}

// Lane is one horizontal band of the map.
type Lane struct {
	ID     string
	Title  string
	Blocks []MapBlock
}

// MapBlock is one clickable block of the map.
type MapBlock struct {
	ID    string
	Title string
	Text  string
	Topic *Topic // nil until that topic exists
}

// GlossaryEntry is one term with the topics that define it.
type GlossaryEntry struct {
	Term       string
	Definition string
	Topics     []*Topic
}

// Coverage is the snapshot shown on /explore, computed from the content.
type Coverage struct {
	Branches      int
	Topics        int
	ByLevel       map[Level]int
	Schematics    int
	WithBlocks    int
	Terms         int
	Paths         int
	Labs          int
	OfficialDocs  int
	LastReviewed  time.Time
	BeginnerCount int
	InterCount    int
	ExpertCount   int
}

// PathStep locates a topic inside a path.
type PathStep struct {
	Path  *Path
	Index int // 0-based
}
