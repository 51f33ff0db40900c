---cargo
---
fn f(