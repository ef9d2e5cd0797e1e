package app

import (
	"sync"

	"mxaudit/model"
)

// outputStage takes messages in order and emits them, in that order, on
// a goroutine of its own. A scan that pairs through the stream settles
// every message on one goroutine (ppap.Stream's), which after a
// delivery is the scan's critical path: at 100,000 messages it ran 70%
// of the time, a fifth of it caching what pairing changed and writing
// JSON. The stage takes that fifth to the other core.
//
// Once emit fails, the stage emits nothing more and each later take
// returns that error, so that the scan stops as it does when its emit
// fails; close returns it too.
type outputStage struct {
	queue chan model.Message
	done  chan struct{}

	mu  sync.Mutex
	err error // emit's first failure
}

// outputDepth is how many messages wait for the stage at most: enough
// for the stream's goroutine not to wait on every message, few enough
// to hold little (a message pairing changed is decoded whole).
const outputDepth = 64

// startOutput starts a stage that emits with emit. The caller must call
// close, once it takes no more messages.
func startOutput(emit func(model.Message) error) *outputStage {
	s := &outputStage{queue: make(chan model.Message, outputDepth), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		for m := range s.queue {
			if s.failed() != nil {
				continue // drained, so that take never blocks for good
			}
			if err := emit(m); err != nil {
				s.mu.Lock()
				s.err = err
				s.mu.Unlock()
			}
		}
	}()
	return s
}

// take queues m, waiting while the queue is full; it returns emit's
// failure, once there was one, and queues nothing then.
func (s *outputStage) take(m model.Message) error {
	if err := s.failed(); err != nil {
		return err
	}
	s.queue <- m
	return nil
}

// close waits until every message taken is emitted, or dropped after a
// failure, and returns emit's failure.
func (s *outputStage) close() error {
	close(s.queue)
	<-s.done
	return s.failed()
}

func (s *outputStage) failed() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}
