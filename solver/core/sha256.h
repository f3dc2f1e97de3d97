#pragma once

#include <string>

namespace hyfe
{
  /** @brief SHA-256 (FIPS 180-4) of @p data, as 64 hexadecimal digits. */
  std::string
  sha256(const std::string &data);

  /** @brief SHA-256 of a file's bytes; throws InputError if it cannot be read. */
  std::string
  sha256_of_file(const std::string &file);
} // namespace hyfe
