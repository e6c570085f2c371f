//! Evaluating conditions. Two evaluators over the same typed tree: the exact one used at assess
//! time, and a three-valued one used at build time with only the static facts known, so items a
//! condition can never select are dropped once and for all.

use crate::hydro::{Trend, WarningLevel};

use super::cond::{BinOp, Expr, VarId};

/// A value of the condition language.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value<'a> {
    /// A number.
    Num(f64),
    /// A bool.
    Bool(bool),
    /// A string.
    Str(&'a str),
    /// A level.
    Level(WarningLevel),
    /// A trend.
    Trend(Trend),
}

/// Supplies the values of names. Returns `None` for a name it does not know (at build time: a
/// dynamic name).
pub trait Env {
    /// The value of a name, or `None` when unknown.
    fn value(&self, var: VarId) -> Option<Value<'_>>;
}

/// Three-valued truth: known true, known false, or not known yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tri {
    /// Certainly true.
    True,
    /// Certainly false.
    False,
    /// Depends on something not known.
    Unknown,
}

fn num(v: Option<Value<'_>>) -> Option<f64> {
    match v {
        Some(Value::Num(n)) => Some(n),
        _ => None,
    }
}

/// Evaluates an expression to a value; `None` when a name is unknown.
pub fn eval_value<'e, E: Env + ?Sized>(expr: &'e Expr, env: &'e E) -> Option<Value<'e>> {
    Some(match expr {
        Expr::Num(n) => Value::Num(*n),
        Expr::Bool(b) => Value::Bool(*b),
        Expr::Str(s) => Value::Str(s),
        Expr::Level(l) => Value::Level(*l),
        Expr::Trend(t) => Value::Trend(*t),
        Expr::Var(v) => return env.value(*v),
        Expr::Neg(e) => Value::Num(-num(eval_value(e, env))?),
        Expr::Not(_) | Expr::In(..) => return tri_to_value(eval_tri(expr, env)),
        Expr::Bin(op, a, b) => match op {
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div => {
                let (x, y) = (num(eval_value(a, env))?, num(eval_value(b, env))?);
                Value::Num(match op {
                    BinOp::Add => x + y,
                    BinOp::Sub => x - y,
                    BinOp::Mul => x * y,
                    // Division by zero yields a non-finite number; comparisons with it are false.
                    _ => x / y,
                })
            }
            _ => return tri_to_value(eval_tri(expr, env)),
        },
    })
}

fn tri_to_value(t: Tri) -> Option<Value<'static>> {
    match t {
        Tri::True => Some(Value::Bool(true)),
        Tri::False => Some(Value::Bool(false)),
        Tri::Unknown => None,
    }
}

fn compare(op: BinOp, a: Value<'_>, b: Value<'_>) -> bool {
    use std::cmp::Ordering;
    let ord = match (a, b) {
        (Value::Num(x), Value::Num(y)) => x.partial_cmp(&y),
        (Value::Level(x), Value::Level(y)) => Some(x.cmp(&y)),
        (Value::Str(x), Value::Str(y)) => Some(x.cmp(y)),
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(&y)),
        (Value::Trend(x), Value::Trend(y)) => Some(if x == y {
            Ordering::Equal
        } else {
            Ordering::Less
        }),
        _ => None,
    };
    let Some(ord) = ord else {
        return op == BinOp::Ne;
    };
    match op {
        BinOp::Eq => ord == Ordering::Equal,
        BinOp::Ne => ord != Ordering::Equal,
        BinOp::Lt => ord == Ordering::Less,
        BinOp::Le => ord != Ordering::Greater,
        BinOp::Gt => ord == Ordering::Greater,
        BinOp::Ge => ord != Ordering::Less,
        _ => false,
    }
}

fn from_bool(b: bool) -> Tri {
    if b { Tri::True } else { Tri::False }
}

/// Evaluates a bool expression with Kleene logic: unknown names make `Unknown`, but
/// `false and _` is false and `true or _` is true.
pub fn eval_tri<E: Env + ?Sized>(expr: &Expr, env: &E) -> Tri {
    match expr {
        Expr::Bool(b) => from_bool(*b),
        Expr::Var(v) => match env.value(*v) {
            Some(Value::Bool(b)) => from_bool(b),
            Some(_) => Tri::False,
            None => Tri::Unknown,
        },
        Expr::Not(e) => match eval_tri(e, env) {
            Tri::True => Tri::False,
            Tri::False => Tri::True,
            Tri::Unknown => Tri::Unknown,
        },
        Expr::Bin(BinOp::And, a, b) => match eval_tri(a, env) {
            Tri::False => Tri::False,
            Tri::True => eval_tri(b, env),
            Tri::Unknown => match eval_tri(b, env) {
                Tri::False => Tri::False,
                _ => Tri::Unknown,
            },
        },
        Expr::Bin(BinOp::Or, a, b) => match eval_tri(a, env) {
            Tri::True => Tri::True,
            Tri::False => eval_tri(b, env),
            Tri::Unknown => match eval_tri(b, env) {
                Tri::True => Tri::True,
                _ => Tri::Unknown,
            },
        },
        Expr::Bin(op, a, b) => match (eval_value(a, env), eval_value(b, env)) {
            (Some(x), Some(y)) => from_bool(compare(*op, x, y)),
            _ => Tri::Unknown,
        },
        Expr::In(a, items) => {
            let Some(x) = eval_value(a, env) else {
                return Tri::Unknown;
            };
            let mut unknown = false;
            for it in items {
                match eval_value(it, env) {
                    Some(y) if compare(BinOp::Eq, x, y) => return Tri::True,
                    Some(_) => {}
                    None => unknown = true,
                }
            }
            if unknown { Tri::Unknown } else { Tri::False }
        }
        Expr::Num(_) | Expr::Str(_) | Expr::Level(_) | Expr::Trend(_) | Expr::Neg(_) => Tri::False,
    }
}

/// Evaluates a bool expression when every name is known; an unknown name counts as false.
pub fn eval_bool<E: Env + ?Sized>(expr: &Expr, env: &E) -> bool {
    eval_tri(expr, env) == Tri::True
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Condition, ForEach, var_by_name};

    struct Vars(Vec<(&'static str, Value<'static>)>);
    impl Env for Vars {
        fn value(&self, var: VarId) -> Option<Value<'_>> {
            let name = var.info().name;
            self.0.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
        }
    }

    fn check(cond: &str, ctx: Option<ForEach>, env: &Vars) -> Tri {
        eval_tri(&Condition::parse(cond, ctx).unwrap().expr, env)
    }

    fn red() -> Vars {
        Vars(vec![
            ("Q", Value::Num(22_000.0)),
            ("level", Value::Level(WarningLevel::Red)),
            ("trend", Value::Trend(Trend::Rising)),
            ("forecast.peak", Value::Num(23_000.0)),
        ])
    }

    #[test]
    fn every_operator_evaluates() {
        let env = red();
        let t = |s: &str| assert_eq!(check(s, None, &env), Tri::True, "{s}");
        let f = |s: &str| assert_eq!(check(s, None, &env), Tri::False, "{s}");
        t("Q == 22000");
        f("Q != 22000");
        t("Q > 21999");
        f("Q < 22000");
        t("Q <= 22000");
        t("Q >= 22000");
        t("Q + 1000 == 23000");
        t("Q - 2000 == 20000");
        t("Q * 2 == 44000");
        t("Q / 4 == 5500");
        t("-Q < 0");
        t("level == red and trend == rising");
        t("level < orange or Q > 1");
        f("not (level >= orange)");
        t("level in [orange, red]");
        f("trend in [falling, steady]");
        t("level > none");
        t("forecast.peak - Q > 500");
        f("Q / 0 > 1 and Q / 0 < 1");
    }

    #[test]
    fn unknown_names_stay_unknown_unless_decided() {
        let env = Vars(vec![
            ("grid.kind", Value::Str("grid")),
            ("grid.floodplain", Value::Bool(false)),
        ]);
        let g = Some(ForEach::Grid);
        assert_eq!(
            check(
                "grid.kind == 'grid' and grid.flooded_fraction > 0.3",
                g,
                &env
            ),
            Tri::Unknown
        );
        assert_eq!(
            check("grid.floodplain and grid.flooded_fraction > 0.3", g, &env),
            Tri::False
        );
        assert_eq!(
            check(
                "grid.kind == 'grid' or grid.flooded_fraction > 0.3",
                g,
                &env
            ),
            Tri::True
        );
        assert_eq!(check("not grid.floodplain", g, &env), Tri::True);
        assert_eq!(check("grid.max_depth_m in [1, 2]", g, &env), Tri::Unknown);
        assert!(var_by_name("grid.kind").is_some());
    }
}
