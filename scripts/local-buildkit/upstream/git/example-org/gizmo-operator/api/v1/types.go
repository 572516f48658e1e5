// Package v1 is the gizmo.example.org/v1 API.
package v1

// Version is stamped by the Makefile.
var Version = "dev"

// GizmoSpec is what a user asks for.
type GizmoSpec struct {
	Replicas int32             `json:"replicas"`
	Image    string            `json:"image"`
	Labels   map[string]string `json:"labels,omitempty"`
	Args     []string          `json:"args,omitempty"`
}

// GizmoStatus is what the operator observed.
type GizmoStatus struct {
	ReadyReplicas int32  `json:"readyReplicas"`
	Phase         string `json:"phase"`
}

// Gizmo is one managed gizmo.
// +kubebuilder:object:root=true
type Gizmo struct {
	Name   string      `json:"name"`
	Spec   GizmoSpec   `json:"spec"`
	Status GizmoStatus `json:"status,omitempty"`
}

// GizmoList is a list of gizmos.
// +kubebuilder:object:root=true
type GizmoList struct {
	Items []Gizmo `json:"items"`
}
