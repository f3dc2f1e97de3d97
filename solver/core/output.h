#pragma once

#include <mpi.h>

#include <chrono>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

namespace dealii
{
  class ParameterHandler;
  template <int dim, int spacedim>
  class DataOut;
} // namespace dealii

namespace hyfe
{
  /** @brief Where and how often output is written; `subsection output`. */
  struct OutputParameters
  {
    std::string  directory;              ///< output folder, relative to the working directory
    std::string  base_name;              ///< prefix of the vtu/pvtu/pvd files
    unsigned int interval          = 0;  ///< write fields every this many steps (0: only at the end)
    unsigned int groups            = 1;  ///< number of vtu files each record is grouped into
    unsigned int progress_interval = 10; ///< print a progress line every this many steps
    bool         write_fields      = true;

    /** @brief Declares the entries of `subsection output`. */
    static void
    declare_parameters(dealii::ParameterHandler &prm);

    /** @brief Reads `subsection output`. */
    void
    parse_parameters(dealii::ParameterHandler &prm);

    /**
     * @brief Throws InputError, naming the entry, if the output cannot be written where the
     * parameters say: an empty or path-like base name, an empty or too long folder name, a file
     * where the folder or one of its parents should be, a parent that is not writable. Creates nothing.
     */
    void
    check() const;
  };

  /** @brief Creates @p directory (and its parents) on rank 0; collective. */
  void
  create_output_directory(const std::string &directory, MPI_Comm comm);

  /**
   * @brief Writes the field records of a run: one pvtu record with grouped vtu pieces per output,
   * and one .pvd time series that lists all of them, rewritten after every record.
   */
  class VtuWriter
  {
  public:
    /** @brief Writer for @p parameters, collective over @p comm. */
    VtuWriter(const OutputParameters &parameters, MPI_Comm comm);

    /** @brief Writes @p data_out (patches already built) as the record for @p time. */
    template <int dim>
    void
    write(const dealii::DataOut<dim, dim> &data_out, double time);

    /** @brief Number of records written so far. */
    unsigned int
    n_records() const
    {
      return static_cast<unsigned int>(records.size());
    }

    /** @brief The records as "time file" lines separated by ';', for a checkpoint. */
    std::string
    save_records() const;

    /**
     * @brief Continues the series of a checkpoint: the records of @p saved (from save_records()) and
     * nothing after them; rank 0 rewrites the .pvd at once, so that records written after the
     * checkpoint by a killed run are no longer listed (their files are overwritten when their numbers
     * come again).
     */
    void
    restore_records(const std::string &saved);

  private:
    const OutputParameters                     &parameters;
    MPI_Comm                                    comm;
    std::vector<std::pair<double, std::string>> records;
  };

  /**
   * @brief A CSV table written by rank 0 and flushed row by row: the columns are fixed by the
   * first row; every later row must have the same names.
   */
  class CsvWriter
  {
  public:
    /**
     * @brief Opens @p file for writing on rank 0 of @p comm; collective: every rank throws an InputError if
     * rank 0 cannot. With @p resume_at (a byte offset from bytes()), the file is cut there and continued,
     * with the columns of its header line.
     */
    CsvWriter(const std::string &file, MPI_Comm comm, long resume_at = -1);

    /** @brief Bytes written into the file so far (rank 0; 0 on the others). */
    long
    bytes() const
    {
      return written;
    }

    /** @brief Appends a row of (column, value) pairs. */
    void
    write_row(const std::vector<std::pair<std::string, double>> &row);

  private:
    std::ofstream            out;
    std::vector<std::string> columns;
    bool                     is_root;
    long                     written = 0;
  };

  /** @brief The progress line: step, time, percent done and ETA, printed by rank 0. */
  class Progress
  {
  public:
    /** @brief Progress from @p start_time to @p end_time (case time units). */
    Progress(double start_time, double end_time, MPI_Comm comm);

    /** @brief Prints "step, time, percent, ETA" followed by @p extra. */
    void
    print(unsigned int step, double time, const std::string &extra) const;

    /** @brief Wall seconds since construction. */
    double
    elapsed() const;

  private:
    double                                start_time, end_time;
    std::chrono::steady_clock::time_point wall_start;
    bool                                  is_root;
  };

  /** @brief "1:02:03" from seconds. */
  std::string
  format_duration(double seconds);
} // namespace hyfe
