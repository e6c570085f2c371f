//! One source for each vocabulary: [`vocabulary!`](crate::vocabulary) defines an enum whose
//! values are written in files by name, and derives from the same table its list of values
//! (`ALL`), the names (`NAMES`, which the condition language and the JSON Schemas use), and the
//! conversions both ways. A name added to the table is accepted everywhere at once.

/// Defines a vocabulary enum from one table of `Variant = "name"` pairs (see the module docs).
///
/// ```
/// floodgrid_model::vocabulary! {
///     /// A colour.
///     pub enum Colour {
///         /// Red.
///         Red = "red",
///         /// Dark blue.
///         DarkBlue = "dark_blue",
///     }
/// }
/// assert_eq!(Colour::NAMES, &["red", "dark_blue"]);
/// assert_eq!(Colour::from_name("dark_blue"), Some(Colour::DarkBlue));
/// assert_eq!(Colour::ALL.len(), 2);
/// assert_eq!(serde_json::to_string(&Colour::DarkBlue).unwrap(), "\"dark_blue\"");
/// ```
#[macro_export]
macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash,
            serde::Serialize, serde::Deserialize,
        )]
        pub enum $name {
            $( $(#[$vmeta])* #[serde(rename = $text)] $variant, )+
        }

        impl $name {
            /// Every value, in the table's order.
            pub const ALL: [$name; $name::NAMES.len()] = [$($name::$variant),+];
            /// The names as written in files, in the table's order.
            pub const NAMES: &'static [&'static str] = &[$($text),+];

            /// The name as written in files.
            pub fn name(self) -> &'static str {
                match self {
                    $( $name::$variant => $text, )+
                }
            }

            /// The value of a name as written in files.
            pub fn from_name(s: &str) -> Option<$name> {
                match s {
                    $( $text => Some($name::$variant), )+
                    _ => None,
                }
            }
        }
    };
}
