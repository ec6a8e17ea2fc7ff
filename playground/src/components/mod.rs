//! The page's components, one per file. Each takes what it shows as props
//! and reports what the visitor did through `on_*` callbacks.

mod choice;
mod dashboard_view;
mod explain_view;
mod exposition_view;
mod legend;
mod line_chart;
mod live_panel;
mod query_editor;
mod query_panel;
mod reset_buttons;
mod scenario_buttons;
mod scrape_interval_select;
mod time_controls;
mod traffic_controls;
mod visit_button;
mod visit_log;
mod workshop_panel;

pub use choice::{choice, choice_of, ChoiceProps};
pub use dashboard_view::{DashboardView, DashboardViewProps};
pub use explain_view::{raw, raw_static, ExplainView, ExplainViewProps};
pub use exposition_view::{ExpositionView, ExpositionViewProps};
pub use legend::legend;
pub use line_chart::{LineChart, LineChartProps};
pub use live_panel::{live_panel, LivePanelProps};
pub use playground_core::chart::series_colour;
pub use query_editor::{QueryEditor, QueryEditorProps};
pub use query_panel::{DataVersion, PanelEvent, QueryPanel, QueryPanelProps};
pub use reset_buttons::reset_buttons;
pub use scenario_buttons::scenario_buttons;
pub use scrape_interval_select::scrape_interval_select;
pub use time_controls::{time_controls, TimeControlsProps};
pub use traffic_controls::{traffic_controls, TrafficControlsProps};
pub use visit_button::visit_button;
pub use visit_log::visit_log;
pub use workshop_panel::{WorkshopPanel, WorkshopPanelProps};
