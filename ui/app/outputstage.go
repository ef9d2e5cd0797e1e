package app

import (
	"errors"
	"fmt"
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
// fails; close returns it too. A panic in emit is one such failure, and
// close panics with it again, on the caller's goroutine, where a panic
// of the caller's emit used to surface.
type outputStage struct {
	queue chan model.Message
	done  chan struct{}
	once  sync.Once

	mu       sync.Mutex
	err      error // emit's first failure
	panicked any   // what emit panicked with, if it did
}

// outputDepth is how many messages wait for the stage at most: enough
// for the stream's goroutine not to wait on every message, few enough
// to hold little (a message pairing changed is decoded whole).
const outputDepth = 64

// errOutputAbandoned drops what waits in a stage its caller left (see
// abandon).
var errOutputAbandoned = errors.New("the scan's output was abandoned")

// startOutput starts a stage that emits with emit. The caller must call
// close once it takes no more messages, and defer abandon, so that a
// panic leaves no goroutine emitting after the scan.
func startOutput(emit func(model.Message) error) *outputStage {
	s := &outputStage{queue: make(chan model.Message, outputDepth), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		for m := range s.queue {
			if s.failed() != nil {
				continue // drained, so that take never blocks for good
			}
			s.emit(emit, m)
		}
	}()
	return s
}

// emit emits m, keeping emit's failure or panic.
func (s *outputStage) emit(emit func(model.Message) error, m model.Message) {
	defer func() {
		if r := recover(); r != nil {
			s.fail(fmt.Errorf("the scan's output panicked: %v", r), r)
		}
	}()
	if err := emit(m); err != nil {
		s.fail(err, nil)
	}
}

func (s *outputStage) fail(err error, panicked any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err == nil {
		s.err, s.panicked = err, panicked
	}
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
// failure, and returns emit's failure; it panics again with emit's
// panic.
func (s *outputStage) close() error {
	s.once.Do(func() { close(s.queue) })
	<-s.done
	s.mu.Lock()
	err, panicked := s.err, s.panicked
	s.mu.Unlock()
	if panicked != nil {
		panic(panicked)
	}
	return err
}

// abandon drops what still waits and waits for the stage to stop, when
// close was not called (the caller is unwinding a panic); it does
// nothing after close.
func (s *outputStage) abandon() {
	s.once.Do(func() {
		s.fail(errOutputAbandoned, nil)
		close(s.queue)
	})
	<-s.done
}

func (s *outputStage) failed() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}
