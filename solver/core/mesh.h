#pragma once

#include <deal.II/base/types.h>

#include <set>
#include <string>
#include <utility>
#include <vector>


namespace dealii
{
  class ParameterHandler;
  template <typename Number>
  class Vector;
  namespace parallel
  {
    namespace distributed
    {
      template <int dim, int spacedim>
      class Triangulation;
    }
  } // namespace parallel
} // namespace dealii

namespace hyfe
{
  /** @brief Where the coarse mesh comes from and how it is refined at the start; `subsection mesh`. */
  struct MeshParameters
  {
    std::string  source;              ///< "generator" or "file"
    std::string  generator;           ///< deal.II GridGenerator function name
    std::string  generator_arguments; ///< its arguments, as in generate_from_name_and_arguments()
    std::string  file;                ///< gmsh .msh file, resolved against the case folder
    unsigned int global_refinements = 0;
    std::string  circle_manifold; ///< "id : x, y[, z]" or empty


    /** @brief Declares the entries of `subsection mesh`. */
    static void
    declare_parameters(dealii::ParameterHandler &prm);

    /** @brief Reads `subsection mesh`; relative file names are resolved against @p case_folder. */
    void
    parse_parameters(dealii::ParameterHandler &prm, const std::string &case_folder);

    /** @brief Throws InputError if the mesh file is missing or unreadable. */
    void
    check_files() const;
  };

  /**
   * @brief Throws InputError, naming the file, if the gmsh file @p file is empty, truncated or
   * corrupt in its section structure ($MeshFormat first, every $Section closed by $EndSection,
   * $Nodes and $Elements present, and in format 2.2 as many nodes and elements as declared).
   */
  void
  check_msh_structure(const std::string &file);

  /** @brief Adaptive refinement with the Kelly estimator; `subsection adaptivity`. */
  struct AdaptivityParameters
  {
    unsigned int interval = 0; ///< adapt every this many steps; 0: never
    std::string  strategy;     ///< "fixed-number" or "fixed-fraction"
    double       refine_fraction  = 0.3;
    double       coarsen_fraction = 0.03;
    unsigned int minimum_level    = 0;
    unsigned int maximum_level    = 10;
    unsigned int initial_cycles   = 0; ///< adaptive refinements on the initial condition

    /** @brief Declares the entries of `subsection adaptivity`. */
    static void
    declare_parameters(dealii::ParameterHandler &prm);

    /** @brief Reads `subsection adaptivity`. */
    void
    parse_parameters(dealii::ParameterHandler &prm);
  };

  /**
   * @brief Checks boundary conditions given as (entry name, list of ids) against the mesh's ids:
   * every listed id exists, no id has two conditions, every mesh id has one. Throws InputError
   * naming the ids and entries, prefixed by @p where; @p hint is appended to the "no condition" error.
   */
  void
  check_boundary_conditions(
    const std::set<dealii::types::boundary_id>                                         &mesh_ids,
    const std::vector<std::pair<std::string, std::vector<dealii::types::boundary_id>>> &conditions,
    const std::string                                                                  &where,
    const std::string                                                                  &hint = "");

  /** @brief Builds the coarse mesh into @p triangulation (not yet refined). */
  template <int dim>
  void
  create_coarse_mesh(dealii::parallel::distributed::Triangulation<dim, dim> &triangulation,
                     const MeshParameters                                   &parameters);

  /** @brief Boundary ids of the whole mesh (collective). */
  template <int dim>
  std::set<dealii::types::boundary_id>
  global_boundary_ids(const dealii::parallel::distributed::Triangulation<dim, dim> &triangulation);

  /**
   * @brief Marks cells for refinement and coarsening from @p indicators (one per active cell),
   * within the level limits; the caller executes the refinement.
   */
  template <int dim>
  void
  mark_cells(dealii::parallel::distributed::Triangulation<dim, dim> &triangulation,
             const dealii::Vector<float>                            &indicators,
             const AdaptivityParameters                             &parameters);
} // namespace hyfe
