//! The named choices of a figure: drawing [`Mode`], aggregation [`Backend`],
//! density shading [`How`], density aggregate [`Agg`] and built-in
//! [`Dataset`]. Each has its names (`name`, [`FromStr`]) so that every front
//! end (command line, Python, viewer keys) reads and prints the same words.

use std::fmt;
use std::str::FromStr;

/// Defines a public enum with `ALL`, `name()`, `Display` and `FromStr`
/// (case-insensitive; `-` and `_` are the same; aliases allowed).
macro_rules! choice {
    ($(#[$meta:meta])* $name:ident, $what:literal, { $($(#[$vmeta:meta])* $variant:ident = $text:literal $(| $alias:literal)*),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// Every choice, in the order help texts list them.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The name a user types.
            pub fn name(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.name())
            }
        }

        impl FromStr for $name {
            type Err = crate::Error;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let key = s.trim().to_ascii_lowercase().replace('-', "_");
                $(
                    if key == $text $(|| key == $alias)* {
                        return Ok($name::$variant);
                    }
                )+
                let names: Vec<&str> = Self::ALL.iter().map(|c| c.name()).collect();
                Err(crate::Error::Input(format!(
                    "unknown {} '{s}'; choose one of: {}",
                    $what,
                    names.join(", ")
                )))
            }
        }
    };
}

choice!(
    /// What a frame draws.
    Mode, "mode", {
        /// Instanced anti-aliased discs of the point size.
        Points = "points",
        /// One footprint per point, the highest value wins each pixel (compute-rasterised).
        Splat = "splat",
        /// A per-pixel aggregate ([`Agg`]), shaded by [`How`] (Datashader's binning).
        Density = "density",
        /// Points while few are visible, splat beyond (decided again every frame).
        Auto = "auto",
    }
);

choice!(
    /// Where splat and density frames aggregate.
    Backend, "backend", {
        /// Compute shaders with atomics.
        Gpu = "gpu",
        /// All CPU cores (rayon), no atomics.
        Cpu = "cpu",
        /// The CPU when the only adapter is a software rasteriser (lavapipe), else the GPU.
        Auto = "auto",
    }
);

choice!(
    /// How density aggregates map to colours (Datashader's `how`).
    How, "shading", {
        /// Proportional to the value.
        Linear = "linear",
        /// ln(1 + x).
        Log = "log",
        /// Cube root.
        Cbrt = "cbrt",
        /// Histogram equalisation: every colour covers about as many pixels.
        EqHist = "eq_hist" | "eqhist",
    }
);

choice!(
    /// What density mode aggregates per pixel (Datashader's reductions).
    Agg, "aggregate", {
        /// Points per pixel.
        Count = "count",
        /// Sum of the values (exact fixed-point sums).
        Sum = "sum",
        /// Mean of the values.
        Mean = "mean",
        /// Smallest value.
        Min = "min",
        /// Largest value.
        Max = "max",
    }
);

choice!(
    /// The built-in point generators.
    Dataset, "dataset", {
        /// Gaussian blobs of different sizes and densities (the demo).
        Clusters = "clusters",
        /// x and y uniform in [0, 1).
        Uniform = "uniform",
        /// A three-armed spiral galaxy.
        Spiral = "spiral",
    }
);

impl Agg {
    /// Whether the grid holds values (as `ordered` bits) rather than counts.
    pub(crate) fn of_values(self) -> bool {
        self != Agg::Count
    }

    /// Whether the grid is made from fixed-point sums (see `aggregate::Quantiser`).
    pub(crate) fn sums(self) -> bool {
        matches!(self, Agg::Sum | Agg::Mean)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_bad_names_list_the_choices() {
        for &m in Mode::ALL {
            assert_eq!(m.name().parse::<Mode>().unwrap(), m);
        }
        for &h in How::ALL {
            assert_eq!(h.name().parse::<How>().unwrap(), h);
        }
        for &a in Agg::ALL {
            assert_eq!(a.to_string().parse::<Agg>().unwrap(), a);
        }
        assert_eq!("EQ-HIST".parse::<How>().unwrap(), How::EqHist);
        assert_eq!(" Spiral ".parse::<Dataset>().unwrap(), Dataset::Spiral);
        let e = "dots".parse::<Mode>().unwrap_err().to_string();
        assert_eq!(
            e,
            "unknown mode 'dots'; choose one of: points, splat, density, auto"
        );
    }
}
