#!/bin/sh
---
[x]
