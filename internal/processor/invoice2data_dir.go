package processor

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Invoice2DataSkipped is a template file Invoice2DataTemplatesFromDir left
// out, and why.
type Invoice2DataSkipped struct {
	// Path is the file's path relative to the directory.
	Path string
	// Reason is the *ConfigError the template gave, or the read error.
	Reason string
}

// Invoice2DataTemplatesFromDir builds an EXTRACT config from a directory of
// invoice2data templates (".yml", ".yaml" and ".json" files, recursively,
// in path order like invoice2data's loader): {"invoice2data": {"templates":
// [...]}} with each template's text. Templates that do not compile (see
// New) are left out and returned with the reason; an error means the
// directory could not be read or holds no usable template.
func Invoice2DataTemplatesFromDir(dir string) (json.RawMessage, []Invoice2DataSkipped, error) {
	var texts []json.RawMessage
	var skipped []Invoice2DataSkipped
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		dir = real
	}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		ext := strings.ToLower(filepath.Ext(path))
		if d.IsDir() || ext != ".yml" && ext != ".yaml" && ext != ".json" {
			return nil
		}
		rel, _ := filepath.Rel(dir, path)
		data, err := os.ReadFile(path)
		if err != nil {
			skipped = append(skipped, Invoice2DataSkipped{Path: rel, Reason: err.Error()})
			return nil
		}
		raw, _ := json.Marshal(string(data))
		if _, err := compileI2DTemplateJSON(raw, len(texts)); err != nil {
			var cerr *ConfigError
			if errors.As(err, &cerr) {
				cerr.Field = strings.TrimPrefix(strings.TrimPrefix(cerr.Field, fmt.Sprintf("invoice2data.templates[%d]", len(texts))), ".")
			}
			skipped = append(skipped, Invoice2DataSkipped{Path: rel, Reason: err.Error()})
			return nil
		}
		texts = append(texts, raw)
		return nil
	})
	if err != nil {
		return nil, skipped, fmt.Errorf("reading invoice2data templates: %w", err)
	}
	if len(texts) == 0 {
		return nil, skipped, fmt.Errorf("reading invoice2data templates: no usable template in %s", dir)
	}
	raw, err := json.Marshal(Invoice2DataConfig{Invoice2Data: Invoice2DataTemplates{Templates: texts}})
	return raw, skipped, err
}
