// Package auth computes the sender-authentication verdicts of a message:
// SPF (RFC 7208), DKIM (RFC 6376, RFC 8463) and DMARC (RFC 7489), with
// identifier alignment and the disposition the From domain's policy asks
// for. Results are computed live through one injectable Resolver, or taken
// from header fields written by hosts the operator trusts. All text read
// from a message is treated as attacker-controlled.
//
// # What is trusted
//
// Config.TrustedHosts names the operator's own mail servers.
//
//   - Authentication-Results (RFC 8601): a field counts only when its
//     authserv-id is a trusted host (compared without case). Fields from
//     anyone else, and fields without an authserv-id (Microsoft 365 writes
//     those), are listed in model.Auth.IgnoredHeaders and play no part. As
//     RFC 8601 §5 requires, the gateway must strip incoming fields that
//     carry its own authserv-id. When several trusted fields give a method,
//     the top-most (latest) wins.
//   - Received: the boundary hop is the top-most Received field written
//     "by" a trusted host whose client is not internal. A client is
//     internal when its address is loopback, private or link-local (a
//     content filter re-injecting mail) or its HELO or reverse name is a
//     trusted host (an LMTP delivery from the gateway). The boundary hop's
//     client address and HELO are what SPF is evaluated for. Postfix,
//     Sendmail, Exim, Microsoft and Dovecot LMTP forms are understood.
//   - Received-SPF (RFC 7208 §9.1): trusted only when it sits above the
//     boundary hop's Received field, that is when it was added after the
//     message reached the gateway (policyd-spf prepends it there).
//     Everything below the boundary came with the message and may be
//     forged. Without a boundary hop no Received-SPF is trusted.
//
// # Live and header results
//
// Live, SPF is evaluated for the boundary hop against the envelope sender
// of Return-Path (the null sender checks the HELO name); when the address
// or the sender is unknown, the trusted Authentication-Results spf= result
// is used, then a trusted Received-SPF. Every DKIM-Signature is verified;
// when the body was not provided, the trusted dkim= results are used.
// DMARC always looks up the policy live. With Config.Offline, every result
// comes from trusted headers and no DNS query is made. Each result's Source
// says which it was; model.Auth.Source is live, header or mixed.
//
// # DNS
//
// NewDNSResolver talks to one server (or those of /etc/resolv.conf) with a
// per-query timeout; NewCachingResolver puts a per-scan cache with shared
// in-flight queries in front of it; NewZoneResolver answers from a static
// zone for the demo. Timeouts and SERVFAIL become temperror; NXDOMAIN and
// empty answers become none or permerror as each RFC says.
package auth
