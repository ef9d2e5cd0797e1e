package cli

import (
	"os"
	"path/filepath"
)

// demoDeliveryMaildir creates the Maildir the demo releases into, under
// the demo's temporary state directory.
func demoDeliveryMaildir(state string) (string, error) {
	dir := filepath.Join(state, "delivered")
	for _, sub := range []string{"tmp", "new", "cur"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o700); err != nil {
			return "", err
		}
	}
	return dir, nil
}

// countDelivered counts the messages in a Maildir's new and cur.
func countDelivered(dir string) int {
	n := 0
	for _, sub := range []string{"new", "cur"} {
		entries, _ := os.ReadDir(filepath.Join(dir, sub))
		n += len(entries)
	}
	return n
}
