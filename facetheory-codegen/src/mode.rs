//! Render modes, shared by the macros (attribute validation) and the runtime (route descriptors).

/// How a face is rendered.
///
/// ```
/// assert_eq!(facetheory_codegen::mode::Mode::Isr.as_str(), "isr");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// On every request, streamed.
    Ssr,
    /// At build time.
    Ssg,
    /// Cached and regenerated after `revalidate` seconds.
    Isr,
}

impl Mode {
    /// `ssr`, `ssg` or `isr`.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Ssr => "ssr",
            Mode::Ssg => "ssg",
            Mode::Isr => "isr",
        }
    }
}
