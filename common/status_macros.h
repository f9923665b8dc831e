#pragma once

// Debian's Abseil (20220623) predates ABSL_RETURN_IF_ERROR / ASSIGN_OR_RETURN, so we keep our own.

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define AF_CONCAT_INNER(a, b) a##b
#define AF_CONCAT(a, b) AF_CONCAT_INNER(a, b)

// Returns the status from the enclosing function if `expr` is not OK.
#define AF_RETURN_IF_ERROR(expr)             \
  do {                                       \
    ::absl::Status af_status_ = (expr);      \
    if (!af_status_.ok()) return af_status_; \
  } while (0)

// AF_ASSIGN_OR_RETURN(auto x, MaybeX()); returns the error, or assigns the value.
#define AF_ASSIGN_OR_RETURN(lhs, expr) \
  AF_ASSIGN_OR_RETURN_IMPL(AF_CONCAT(af_statusor_, __LINE__), lhs, expr)
#define AF_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                             \
  if (!tmp.ok()) return tmp.status();            \
  lhs = std::move(*tmp)
