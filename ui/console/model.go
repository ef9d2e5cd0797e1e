package console

import (
	"context"
	"sync"
	"time"

	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"

	"mxaudit/model"
	"mxaudit/ui/app"
	"mxaudit/ui/console/auditview"
	"mxaudit/ui/console/checkview"
	"mxaudit/ui/console/common"
	"mxaudit/ui/console/detail"
	"mxaudit/ui/console/dialog"
	"mxaudit/ui/console/excview"
	"mxaudit/ui/console/keys"
	"mxaudit/ui/console/list"
	"mxaudit/ui/console/partnerview"
	"mxaudit/ui/console/rawview"
	"mxaudit/ui/console/reportsview"
	"mxaudit/ui/console/statsview"
	"mxaudit/ui/console/styles"
)

// Model is the console's root model. It owns the message table and routes
// messages to the components; it is the only place that changes state in
// response to a command's result.
type Model struct {
	cfg     Config
	ctx     context.Context
	noColor bool
	com     *common.Common
	table   *model.Table
	// kept keeps the full messages of the table's rows (readback.go).
	kept Kept
	read readState

	list    *list.Model
	detail  *detail.Model
	dialogs dialog.Stack

	// screen is the active screen (screen.go); the component of each
	// full-screen view is set only while its screen is active.
	screen      screen
	viewer      *rawview.Model // the header or raw viewer
	statsView   *statsview.Model
	excView     *excview.Model
	reportsView *reportsview.Model
	checkView   *checkview.Model
	partnerView *partnerview.Model
	auditView   *auditview.Model
	auditSeq    int // numbers the audit view's readings; stale ones are dropped
	help        help.Model

	// sortAhead is where sorting ahead is (sortahead.go).
	sortAhead sortAheadState

	showHelp  bool
	helpState helpState
	filter    filterInput

	detailOpen  bool
	detailSide  bool // beside the list rather than below
	detailShare int  // percent of the body the detail pane takes

	scan  scanState
	watch watchState

	// headerSeq numbers the detail pane's header loads; a load whose
	// number is not the latest is stale.
	headerSeq     int
	headerPending model.MessageID
	// viewerSeq numbers the viewer's loads.
	viewerSeq int
	// inFlight counts operator actions (release, delete…) still running;
	// quitting asks for confirmation while it is not zero. runs counts
	// their goroutines, which Run waits for before it returns.
	inFlight int
	runs     *sync.WaitGroup

	// marks are the rows marked for a bulk action.
	marks marks
	// tempErrors counts the messages whose authentication hit a DNS
	// temperror, for the banner (temperror.go).
	tempErrors int
	// lastCopy is what was last copied to the clipboard (for tests).
	lastCopy string
	// saveSeq numbers the save dialog's reads; saveID is the message the
	// open save dialog is about.
	saveSeq int
	saveID  model.MessageID
	// lastDeleted are the messages the last delete moved to the trash,
	// for U (undo.go), which reads them back from kept.
	lastDeleted []model.MessageID
	// notice is the status line's report of the last action, log all
	// notices (notices.go); noticeSeq numbers them, noticeTimed is the
	// last one given an expiry, statusHeight the status line's lines.
	notice       notice
	log          []logEntry
	noticeSeq    int
	noticeTimed  int
	statusHeight int
	// policy is the exception policy, nil until it is read.
	policy *model.Policy
	// policyNews brings other sessions' policy changes (session.go).
	policyNews <-chan app.PolicyNews

	// The numbers of the latest loads of the DMARC report and domain
	// check views: an answer with another number is stale.
	reportsSeq int
	// reportsCancel stops the running read of the report mails.
	reportsCancel context.CancelFunc
	checkSeq      int
	// statsAt is when the statistics were last counted; statsDirty says a
	// recount is scheduled.
	statsAt    time.Time
	statsDirty bool

	// The running release or delete; the messages the open action
	// dialog is about, and the number of its latest dry run (an answer
	// with another number is stale).
	action        actionState
	actionTargets actionTargets
	planSeq       int
	// The number of the latest password request.
	pwSeq int

	// The body's geometry, computed by relayout for drawing and for
	// mapping mouse clicks.
	listWidth, listHeight int
	bodyHeight            int
}

func newModel(ctx context.Context, cfg Config, noColor bool) *Model {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	com := &common.Common{
		Styles: styles.New(true, noColor),
		Keys:   keys.Default(),
		Now:    cfg.Now,
		Mouse:  cfg.Mouse,
	}
	table := model.NewTable()
	kept := cfg.Kept
	if kept == nil {
		kept = app.NewSpill(cfg.SpillDir)
		// The console's own spill goes with it: when Run returns, or
		// when an SSH session ends.
		context.AfterFunc(ctx, func() { kept.Close() })
	}
	m := &Model{
		cfg:          cfg,
		kept:         kept,
		ctx:          ctx,
		noColor:      noColor,
		com:          com,
		table:        table,
		list:         list.New(com, table),
		detail:       detail.New(com),
		help:         help.New(),
		detailShare:  50,
		statusHeight: 1,
		runs:         &sync.WaitGroup{},
	}
	m.help.Styles = com.Styles.Help
	m.scan = newScanState(ctx)
	m.list.SetMarked(m.marks.has)
	table.SetMarked(m.marks.has)
	m.detail.SetLookup(table.RowByID)
	return m
}

// Init implements tea.Model: it starts the scan and asks the terminal for
// its background colour.
func (m *Model) Init() tea.Cmd {
	cmds := []tea.Cmd{m.startScan(), m.loadPolicy(), m.followPolicy()}
	if !m.noColor {
		cmds = append(cmds, tea.RequestBackgroundColor)
	}
	return tea.Batch(cmds...)
}

// Update implements tea.Model. A key press clears the last notice (it
// stays in the log); a notice that appeared gets its expiry.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if _, ok := msg.(tea.KeyPressMsg); ok && m.notice.text != "" {
		m.clearNotice()
	}
	if e, ok := msg.(noticeExpireMsg); ok && e.seq == m.notice.seq {
		m.clearNotice()
	}
	_, cmd := m.update(msg)
	if n := m.noticeChanged(); n != nil {
		cmd = tea.Batch(cmd, n)
	}
	if s := m.sortAheadDue(); s != nil {
		cmd = tea.Batch(cmd, s)
	}
	return m, cmd
}

// update handles one message.
func (m *Model) update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.com.Width, m.com.Height = msg.Width, msg.Height
		m.relayout()
		return m, m.lookupShownNames()
	case tea.BackgroundColorMsg:
		m.com.Styles = styles.New(msg.IsDark(), m.noColor)
		m.help.Styles = m.com.Styles.Help
		m.detail.Restyle()
		return m, nil
	case tea.KeyPressMsg:
		return m, m.handleKey(msg)
	case tea.MouseClickMsg:
		return m, m.handleClick(msg.Mouse())
	case tea.MouseWheelMsg:
		return m, m.handleWheel(msg.Mouse())
	case scanBatchMsg:
		return m, m.handleScanBatch(msg)
	case sortAheadMsg:
		return m, m.handleSortAhead(msg)
	case sortedMsg:
		m.handleSorted(msg)
		return m, nil
	case watchMsg:
		return m, m.handleWatch(msg)
	case arrivalsMsg:
		return m, m.handleArrivals(msg)
	case detailReadMsg:
		return m, m.handleDetailRead(msg)
	case selectedReadMsg:
		return m, m.handleSelectedRead(msg)
	case reanalysedMsg:
		return m, m.handleReanalysed(msg)
	case headerDueMsg:
		return m, m.handleHeaderDue(msg)
	case headersLoadedMsg:
		if msg.seq == m.headerSeq {
			m.headerPending = ""
			m.detail.SetHeaders(msg.id, msg.hops, msg.err)
		}
		return m, nil
	case viewerLoadedMsg:
		if m.viewer != nil && msg.seq == m.viewerSeq {
			m.viewer.SetContent(msg.data, msg.truncated, msg.err)
		}
		return m, nil
	case policyLoadedMsg:
		if msg.err != nil {
			m.setNotice(msg.err.Error(), true)
			return m, nil
		}
		m.setPolicy(msg.policy)
		return m, tea.Batch(m.selectionChanged(), m.statsChanged())
	case policyChangedMsg:
		return m, m.handlePolicyChanged(msg)
	case policyNewsMsg:
		return m, m.handlePolicyNews(msg)
	case planMsg:
		m.handlePlan(msg)
		return m, nil
	case actionResultMsg:
		return m, m.handleActionResult(msg)
	case actionDoneMsg:
		return m, tea.Batch(m.handleActionDone(msg), m.statsChanged())
	case passwordMsg:
		m.handlePassword(msg)
		return m, nil
	case reportsLoadedMsg:
		return m, m.handleReportsLoaded(msg)
	case reportNamesMsg:
		m.handleReportNames(msg)
		return m, nil
	case auditStatusMsg:
		m.auditLoaded(msg)
		return m, nil
	case checkDoneMsg:
		m.handleCheckDone(msg)
		return m, nil
	case restoredMsg:
		return m, m.handleRestored(msg)
	case saveReadyMsg:
		m.handleSaveReady(msg)
		return m, nil
	case savedMsg:
		m.handleSaved(msg)
		return m, nil
	case pipeReadyMsg:
		return m, m.handlePipeReady(msg)
	case rowsKeptMsg:
		// Only the next start's speed depends on it: said, not in the way.
		m.setNotice(msg.err.Error(), false)
		return m, nil
	case pagerDoneMsg:
		if msg.err != nil {
			m.setNotice("the pager failed: "+msg.err.Error(), true)
		}
		return m, nil
	case statsTickMsg:
		if m.statsDirty {
			m.recomputeStats()
		}
		return m, nil
	}
	return m, nil
}

// quit stops the scan and the watch and ends the program.
func (m *Model) quit() tea.Cmd {
	m.stopScan()
	m.cancelWatch() // Run waits for it once the program has ended
	return tea.Quit
}

// selectionChanged brings the detail pane to the selected message and,
// when the pane is open, schedules loading its headers.
func (m *Model) selectionChanged() tea.Cmd {
	m.list.Sync()
	return tea.Batch(m.syncDetail(), m.maybeLoadHeaders())
}

// maybeLoadHeaders schedules loading the detail pane's headers unless
// they are loaded or already on their way.
func (m *Model) maybeLoadHeaders() tea.Cmd {
	sel := m.detail.Message()
	if !m.detailOpen || sel == nil || !m.detail.NeedsHeaders() || m.headerPending == sel.ID {
		return nil
	}
	m.headerPending = sel.ID
	return m.scheduleHeaders(sel.ID)
}

// Every component has the common shape, so that later views (statistics,
// DMARC reports) slot in the same way.
var (
	_ common.Component = (*list.Model)(nil)
	_ common.Component = (*detail.Model)(nil)
	_ common.Component = (*rawview.Model)(nil)
	_ common.Component = (*statsview.Model)(nil)
	_ common.Component = (*excview.Model)(nil)
	_ common.Component = (*reportsview.Model)(nil)
	_ common.Component = (*checkview.Model)(nil)
)
