//! A well-formed component of another world (`hostile:other/greeter`): it
//! even exports a `describe`, of the wrong type. The host must refuse it as
//! not implementing `scoring-model`.
wit_bindgen::generate!({ path: "wit", world: "greeter" });
/// The guest component.
pub struct Greeter;
impl Guest for Greeter {
    fn describe() -> String {
        "a greeter, not a scoring model".into()
    }
    fn greet(name: String) -> String {
        format!("hello {name}")
    }
}
export!(Greeter);
