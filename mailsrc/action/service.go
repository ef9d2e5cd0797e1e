package action

import (
	"context"

	"mxaudit/model"
)

// hooks are called between the steps of an action; tests use them to fail
// or crash part way.
type hooks struct {
	step func(name string) error
}

// Plan is the dry run of req on msgs, the analysed messages req.IDs name
// (in that order; a message of req.IDs missing from msgs is an error). It
// reads each message's raw headers for the original envelope recipients
// and the quarantine's release state, and applies the release rules with
// the current policy. It changes nothing.
func (s *Service) Plan(ctx context.Context, req Request, msgs []*model.Message) (Plan, error) {
	return s.plan(ctx, req, msgs)
}

// Execute carries out p, message by message, in order, and calls progress
// (when not nil) after each one. Everything is checked again under the
// quarantine's lock — the policy is re-read, recipients served since the
// plan are skipped — so that a plan that went stale while the operator
// read it does no harm. Each message's audit record is written before its
// Result is reported; a message whose record cannot be written is
// reported as failed. Execute stops early when ctx is done, reporting the
// rest as not done.
func (s *Service) Execute(ctx context.Context, p Plan, progress func(Result)) []Result {
	return s.execute(ctx, p, progress)
}

// Recipients returns the original envelope recipients of message id, as
// the receiving side recorded them above its first Received header
// (amavis X-Envelope-To, X-Original-To, Delivered-To). When none is
// recorded it falls back to the To and Cc addresses and sets fromHeaders:
// the caller must warn that these may differ from the real recipients.
func (s *Service) Recipients(ctx context.Context, id model.MessageID) (rcpts []string, fromHeaders bool, err error) {
	env, err := s.envelope(ctx, id)
	if err != nil {
		return nil, false, err
	}
	return env.Recipients, env.FromHeaders, nil
}
