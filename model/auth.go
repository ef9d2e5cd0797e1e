package model

// Result is an SPF, DKIM or DMARC result as RFC 8601 names them.
type Result string

// Authentication results.
const (
	ResultNone      Result = "none"
	ResultPass      Result = "pass"
	ResultFail      Result = "fail"
	ResultSoftFail  Result = "softfail" // SPF only
	ResultNeutral   Result = "neutral"
	ResultTempError Result = "temperror"
	ResultPermError Result = "permerror"
	ResultPolicy    Result = "policy" // DKIM: signature valid but rejected by local policy
)

// Rank orders results from best to worst for sorting: pass first, failures last.
func (r Result) Rank() int {
	switch r {
	case ResultPass:
		return 0
	case ResultNone, "":
		return 1
	case ResultNeutral:
		return 2
	case ResultSoftFail:
		return 3
	case ResultTempError:
		return 4
	case ResultPolicy:
		return 5
	case ResultPermError:
		return 6
	case ResultFail:
		return 7
	}
	return 8
}

// AuthSource says where a result came from.
type AuthSource string

// Sources of authentication results.
const (
	SourceLive   AuthSource = "live"   // computed by mxaudit with DNS lookups
	SourceHeader AuthSource = "header" // taken from a trusted Authentication-Results or Received-SPF header
	SourceMixed  AuthSource = "mixed"  // some results live, some from headers
)

// Alignment is a DMARC identifier alignment mode.
type Alignment string

// Alignment modes (RFC 7489 §3.1).
const (
	AlignRelaxed Alignment = "r"
	AlignStrict  Alignment = "s"
)

// Disposition is what a DMARC policy asks the receiver to do.
type Disposition string

// DMARC dispositions.
const (
	DispositionNone       Disposition = "none"
	DispositionQuarantine Disposition = "quarantine"
	DispositionReject     Disposition = "reject"
)

// Auth holds the sender-authentication findings for one message.
type Auth struct {
	Source AuthSource   `json:"source"`
	SPF    SPFResult    `json:"spf"`
	DKIM   []DKIMResult `json:"dkim"`
	DMARC  DMARCResult  `json:"dmarc"`
	// IgnoredHeaders lists the authserv-ids of Authentication-Results
	// headers that were not trusted and so played no part.
	IgnoredHeaders []string `json:"ignored_headers,omitempty"`
}

// SPFResult is the outcome of the SPF check of the envelope sender (or HELO).
type SPFResult struct {
	Result  Result     `json:"result"`
	Domain  string     `json:"domain"` // the domain checked: MAIL FROM's, or HELO's when MAIL FROM is empty
	IP      string     `json:"ip"`
	Helo    string     `json:"helo,omitempty"`
	Aligned bool       `json:"aligned"`
	Source  AuthSource `json:"source"`
	Reason  string     `json:"reason,omitempty"`
}

// DKIMResult is the outcome of verifying one DKIM-Signature.
type DKIMResult struct {
	Result    Result     `json:"result"`
	Domain    string     `json:"domain"`   // d=
	Selector  string     `json:"selector"` // s=
	Algorithm string     `json:"algorithm,omitempty"`
	Aligned   bool       `json:"aligned"`
	Source    AuthSource `json:"source"`
	Reason    string     `json:"reason"`
}

// DMARCResult is the DMARC evaluation of the From domain.
type DMARCResult struct {
	Result          Result      `json:"result"`
	FromDomain      string      `json:"from_domain"`
	OrgDomain       string      `json:"org_domain"`
	Policy          Disposition `json:"policy"` // p=, or "" when no record
	SubdomainPolicy Disposition `json:"subdomain_policy"`
	// Pct is the obsolete pct= tag as published (100 when absent): RFC
	// 9989 removed it, so it is reported, never sampled.
	Pct   int       `json:"pct"`
	ADKIM Alignment `json:"adkim"`
	ASPF  Alignment `json:"aspf"`
	// Disposition is what the published policy asks for this message,
	// after sp=, np= and t=y are applied; "none" when DMARC passes.
	Disposition Disposition `json:"disposition"`
	Record      string      `json:"record,omitempty"` // the TXT record as published
	Source      AuthSource  `json:"source"`
	Reason      string      `json:"reason"` // one sentence an operator can read

	// The RFC 9989 additions; all omitted when empty, so older readers
	// of the JSON see the fields they knew.

	// Discovery names the method that found the policy and the
	// organizational domain: "tree-walk" (RFC 9989 §4.10) for live
	// results, "" for results taken from headers.
	Discovery string `json:"discovery,omitempty"`
	// PolicyDomain is the domain whose _dmarc record applies: the From
	// domain, its organizational domain, or its public suffix domain.
	PolicyDomain string `json:"policy_domain,omitempty"`
	// Records are the DNS questions of the tree walk for the From domain,
	// in the order asked: why a subdomain is or is not its own
	// organization.
	Records []DMARCLookup `json:"records,omitempty"`
	// NonexistentPolicy is np= (RFC 9989 §4.7), PSD psd= ("y", "n" or "u"
	// when published).
	NonexistentPolicy Disposition `json:"np,omitempty"`
	PSD               string      `json:"psd,omitempty"`
	// Testing is t=y: the domain owner is testing its policy, which is
	// applied one level lower (reject becomes quarantine, quarantine
	// none).
	Testing bool `json:"testing,omitempty"`
	// ObsoleteTags lists tags RFC 9989 removed (pct, rf, ri) that the
	// record still carries, as "tag=value"; UnknownTags the tags no
	// registry knows, which are ignored.
	ObsoleteTags []string `json:"obsolete_tags,omitempty"`
	UnknownTags  []string `json:"unknown_tags,omitempty"`
}

// DMARCLookup is one DNS question of a DMARC tree walk.
type DMARCLookup struct {
	// Name is the name asked, "_dmarc." and a domain.
	Name string `json:"name"`
	// Status is "found" (one DMARC record), "none" (no DMARC record),
	// "multiple" (several, all discarded), or "temperror".
	Status string `json:"status"`
	// Record is the DMARC record found, or the records joined with " | "
	// when there were several.
	Record string `json:"record,omitempty"`
}

// DMARC lookup statuses.
const (
	LookupFound     = "found"
	LookupNone      = "none"
	LookupMultiple  = "multiple"
	LookupTempError = "temperror"
)
