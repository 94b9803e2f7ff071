package topology

import (
	"reflect"
	"testing"
)

// TestYAMLMirrorsModel: the structs EncodeYAML writes through must have the
// fields of the model's structs, in the same order, with the same YAML tags;
// a field added to the model and not to its mirror would be lost on export.
func TestYAMLMirrorsModel(t *testing.T) {
	tests := []struct {
		mirror, model any
		skip          int // fields of the model the mirror leaves out
	}{
		{yamlHead{}, Model{}, 5}, // the five lists are written one by one
		{yamlService{}, Service{}, 0},
		{yamlDependency{}, Dependency{}, 0},
		{yamlAcceptedRisk{}, AcceptedRisk{}, 0},
	}
	for _, tt := range tests {
		mirror, model := reflect.TypeOf(tt.mirror), reflect.TypeOf(tt.model)
		if mirror.NumField() != model.NumField()-tt.skip {
			t.Errorf("%s has %d fields, %s has %d", mirror, mirror.NumField(), model, model.NumField()-tt.skip)
			continue
		}
		for i := range mirror.NumField() {
			a, b := mirror.Field(i), model.Field(i)
			if a.Name != b.Name || a.Tag.Get("yaml") != b.Tag.Get("yaml") {
				t.Errorf("%s field %d is %s `yaml:%q`, %s has %s `yaml:%q`", mirror, i, a.Name, a.Tag.Get("yaml"), model, b.Name, b.Tag.Get("yaml"))
			}
			if a.Type != b.Type && a.Type != reflect.TypeOf(yamlText("")) && a.Type != reflect.TypeOf(yamlItemText("")) {
				t.Errorf("%s.%s is a %s, %s's is a %s", mirror, a.Name, a.Type, model, b.Type)
			}
		}
	}
}
