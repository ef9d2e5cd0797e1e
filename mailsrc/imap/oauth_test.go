package imap

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/emersion/go-sasl"
)

const testToken = "ya29.test-token-xyz"

// oauthSession is an in-memory session that accepts only OAuth tokens,
// through the mechanisms it is given.
type oauthSession struct {
	*imapmemserver.UserSession // nil until authenticated
	user                       *imapmemserver.User
	mechs                      []string
}

func (s *oauthSession) Login(string, string) error { return imapserver.ErrAuthFailed }

func (s *oauthSession) AuthenticateMechanisms() []string { return s.mechs }

func (s *oauthSession) Authenticate(mech string) (sasl.Server, error) {
	check := func(user, token string) bool {
		if user == memUser && token == testToken {
			s.UserSession = imapmemserver.NewUserSession(s.user)
			return true
		}
		return false
	}
	switch mech {
	case sasl.OAuthBearer:
		return sasl.NewOAuthBearerServer(func(o sasl.OAuthBearerOptions) *sasl.OAuthBearerError {
			if check(o.Username, o.Token) {
				return nil
			}
			return &sasl.OAuthBearerError{Status: "invalid_token", Schemes: "bearer"}
		}), nil
	case "XOAUTH2":
		return &xoauth2Server{check: check}, nil
	}
	return nil, errors.New("unsupported mechanism")
}

// xoauth2Server checks "user=U\x01auth=Bearer T\x01\x01".
type xoauth2Server struct{ check func(user, token string) bool }

func (x *xoauth2Server) Next(resp []byte) ([]byte, bool, error) {
	if resp == nil {
		return []byte{}, false, nil
	}
	var user, token string
	for _, f := range strings.Split(string(resp), "\x01") {
		if v, ok := strings.CutPrefix(f, "user="); ok {
			user = v
		}
		if v, ok := strings.CutPrefix(f, "auth=Bearer "); ok {
			token = v
		}
	}
	if !x.check(user, token) {
		return nil, true, errors.New("invalid token")
	}
	return nil, true, nil
}

func TestOAuthMechanisms(t *testing.T) {
	tests := []struct {
		name    string
		mechs   []string
		command string
		wantErr string
	}{
		{"OAUTHBEARER preferred", []string{"XOAUTH2", sasl.OAuthBearer}, "echo " + testToken, ""},
		{"XOAUTH2 when alone", []string{"XOAUTH2"}, "echo " + testToken, ""},
		{"wrong token", []string{sasl.OAuthBearer}, "echo wrong-" + testToken, "login as"},
		{"failing token command", []string{sasl.OAuthBearer}, "echo " + testToken + "; exit 1", "token command failed"},
		{"no OAuth mechanism", []string{"PLAIN"}, "echo " + testToken, "neither OAUTHBEARER nor XOAUTH2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			user := imapmemserver.NewUser(memUser, memPassword)
			user.Create("Quarantine", nil)
			srv := imapserver.New(&imapserver.Options{
				NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
					return &oauthSession{user: user, mechs: tt.mechs}, nil, nil
				},
				InsecureAuth: true,
				Caps:         capsRev2,
				Logger:       discardLogger{},
			})
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			go srv.Serve(ln)
			defer srv.Close()
			s, err := Open(context.Background(), Config{
				URL:               "imap://" + memUser + "@" + ln.Addr().String() + "/Quarantine",
				InsecurePlaintext: true,
				TokenCommand:      tt.command,
			})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), testToken) {
					t.Fatalf("error leaks the token: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if _, err := s.reader.get(context.Background()); err != nil {
				t.Fatal(err)
			}
		})
	}
}
