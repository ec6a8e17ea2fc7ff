//! A panic hook that shows a message instead of leaving a dead page.
//!
//! The release build aborts on panic (smaller wasm), so nothing can be
//! recovered; the least we owe the visitor is to say so and offer a reload.

/// Installs the hook; yew then leaves it in place.
pub fn install() {
    yew::set_custom_panic_hook(Box::new(|info| {
        gloo::console::error!(format!("playground panicked: {info}"));
        show_message(&info.to_string());
    }));
}

fn show_message(detail: &str) {
    let document = gloo::utils::document();
    let Some(banner) = document.get_element_by_id("panic-message") else {
        return;
    };
    if let Some(text) = document.get_element_by_id("panic-detail") {
        text.set_text_content(Some(detail));
    }
    // Failing to unhide the banner leaves the page as it was: nothing
    // better to do from inside a panic.
    banner.remove_attribute("hidden").ok();
}
