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
	Pct             int         `json:"pct"`
	ADKIM           Alignment   `json:"adkim"`
	ASPF            Alignment   `json:"aspf"`
	// Disposition is what the published policy asks for this message,
	// after sp= and pct= are applied; "none" when DMARC passes.
	Disposition Disposition `json:"disposition"`
	Record      string      `json:"record,omitempty"` // the TXT record as published
	Source      AuthSource  `json:"source"`
	Reason      string      `json:"reason"` // one sentence an operator can read
}
