package console

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"mxaudit/model"
	"mxaudit/ui/console/partnerview"
	"mxaudit/ui/termtext"
)

// The partner inventory (I): the messages of the table, every one
// whatever the filter, aggregated per partner against the exception
// policy as "mxaudit impact" does, in Update: a pass over the rows, like
// the statistics, which carry what the count reads (ImpactCounter.AddRow
// counts as Add does). Enter filters the list to the partner's From
// domains, c checks the partner's domain.

// openPartners opens the inventory.
func (m *Model) openPartners() {
	v := partnerview.New(m.com)
	m.show(screenPartners)
	m.partnerView = v
	m.relayout()
	m.recomputePartners()
}

// recomputePartners aggregates the table's rows into the view.
func (m *Model) recomputePartners() {
	if m.screen != screenPartners {
		return
	}
	// The console's configuration does not carry home_domains: every
	// recipient counts, as "mxaudit impact" counts them without it.
	c := model.NewImpactCounter(m.policy, model.ImpactOptions{Now: m.com.Now()})
	m.table.EachRow(c.AddRow)
	m.partnerView.SetPartners(c.Partners(), m.scan.running)
}

// handlePartnersKey handles a key while the inventory is open.
func (m *Model) handlePartnersKey(msg tea.KeyPressMsg) tea.Cmd {
	k := &m.com.Keys
	switch {
	case key.Matches(msg, k.Close, k.Partners):
		m.closeScreen()
	case key.Matches(msg, k.Help):
		m.showHelp = true
	case key.Matches(msg, k.FilterSource):
		p := m.partnerView.Selected()
		if p == nil || len(p.FromDomains) == 0 {
			return nil
		}
		f := m.table.Filter()
		f.Source = &model.SourceFilter{FromDomains: p.FromDomains}
		m.closeScreen()
		m.table.SetFilter(f)
		if m.table.Len() == 0 {
			m.setNotice("no message shown is from "+termtext.Sanitize(p.Domain), false)
		}
		return tea.Batch(m.selectionChanged(), m.statsChanged())
	case key.Matches(msg, k.DomainCheck):
		if p := m.partnerView.Selected(); p != nil && p.Domain != "" {
			return m.checkDomain(p.Domain)
		}
	default:
		m.partnerView.Update(msg)
	}
	return nil
}
