"""Renders a field of a hyfe run with ParaView, from the run's real output (developers only).

usage (Debian 12's paraview ships pvbatch, the batch form of pvpython, and no pvpython):
  xvfb-run -a pvbatch3.11 cases/common/render.py OUTPUT/solution.pvd PICTURE.png
      [--field NAME] [--time T] [--range LO HI | --limit L] [--size W H] [--title TEXT]

Any case's solution.pvd: the record at time T (default: the last one), coloured by NAME (default:
vorticity if the run has it, else the first point field; a vector field by its magnitude). 2-D: the
whole domain seen from above, a diverging colour map symmetric about 0 for vorticity (its range the
98th percentile of |value|, or --limit). 3-D: a slice through the middle normal to z coloured by the field,
and streamlines of the velocity seeded along a line across the inflow half of the domain, over the
outline of the domain.
"""
import argparse
import os

from paraview import servermanager
from paraview.simple import (ColorBy, Delete, GetActiveViewOrCreate, GetColorTransferFunction,
                             GetScalarBar, Outline, PVDReader, Render, SaveScreenshot, Show, Slice,
                             StreamTracer, Text, Tube, UpdatePipeline)


def arguments():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("pvd")
    p.add_argument("png")
    p.add_argument("--field", default=None)
    p.add_argument("--time", type=float, default=None)
    p.add_argument("--range", type=float, nargs=2, default=None, help="colour range (not for vorticity)")
    p.add_argument("--limit", type=float, default=None, help="vorticity: the colour range [-limit, limit]")
    p.add_argument("--size", type=int, nargs=2, default=[1600, 500])
    p.add_argument("--title", default=None)
    return p.parse_args()


def percentile_of_abs(source, name, component, q=0.98):
    """The q-quantile of |value| of a point field (fetched to this process; fine for a picture)."""
    data = servermanager.Fetch(source)
    values = []
    blocks = [data.GetBlock(i) for i in range(data.GetNumberOfBlocks())] if data.IsA("vtkMultiBlockDataSet") \
        else [data]
    for block in blocks:
        if block is None:
            continue
        array = block.GetPointData().GetArray(name)
        if array is None:
            continue
        for i in range(array.GetNumberOfTuples()):
            t = array.GetTuple(i)
            values.append(abs(t[component]) if component >= 0 else sum(x * x for x in t) ** 0.5)
    if not values:
        return 1.0
    values.sort()
    return values[min(len(values) - 1, int(q * len(values)))] or 1.0


def main():
    args = arguments()
    reader = PVDReader(FileName=os.path.abspath(args.pvd))
    times = list(reader.TimestepValues) if reader.TimestepValues else [0.0]
    time = args.time if args.time is not None else times[-1]
    view = GetActiveViewOrCreate("RenderView")
    view.ViewTime = time
    view.ViewSize = args.size
    view.OrientationAxesVisibility = 0
    view.Background = [1, 1, 1]
    try:  # ParaView 5.10+: the background of the view, not the palette's
        view.UseColorPaletteForBackground = 0
    except AttributeError:
        pass
    UpdatePipeline(time=time, proxy=reader)
    names = list(reader.PointData.keys())
    field = args.field or next((n for n in names if n == "vorticity" or n.endswith("vorticity")), names[0])
    if field not in names:
        raise SystemExit("render.py: no point field '%s' in %s; fields: %s" % (field, args.pvd, ", ".join(names)))
    info = reader.PointData[field]
    components = info.GetNumberOfComponents()
    bounds = reader.GetDataInformation().GetBounds()
    three_d = bounds[5] - bounds[4] > 1e-12 * max(bounds[1] - bounds[0], 1.0)
    if three_d:
        outline = Show(Outline(Input=reader), view)
        outline.DiffuseColor = [0.3, 0.3, 0.3]
        cut = Slice(Input=reader)
        cut.SliceType.Origin = [(bounds[0] + bounds[1]) / 2, (bounds[2] + bounds[3]) / 2, (bounds[4] + bounds[5]) / 2]
        cut.SliceType.Normal = [0, 0, 1]
        shown, source = Show(cut, view), cut
        velocity = next((n for n in names if n == "velocity" or n.endswith("velocity")), None)
        if velocity:
            lines = StreamTracer(Input=reader, SeedType="Line")
            lines.Vectors = ["POINTS", velocity]
            # seeds above the slice (at 3/4 of the height), so that the lines do not hide it
            z_seed = bounds[4] + 0.75 * (bounds[5] - bounds[4])
            lines.SeedType.Point1 = [bounds[0] + 0.02 * (bounds[1] - bounds[0]), bounds[2] + 0.1 * (bounds[3] - bounds[2]),
                                     z_seed]
            lines.SeedType.Point2 = [bounds[0] + 0.02 * (bounds[1] - bounds[0]), bounds[3] - 0.1 * (bounds[3] - bounds[2]),
                                     z_seed]
            lines.SeedType.Resolution = 16
            lines.MaximumStreamlineLength = 2 * (bounds[1] - bounds[0])
            tubes = Show(Tube(Input=lines, Radius=0.001 * (bounds[1] - bounds[0])), view)
            tubes.DiffuseColor = [0.1, 0.1, 0.1]
            tubes.ColorArrayName = ["POINTS", ""]
        centre = [(bounds[0] + bounds[1]) / 2, (bounds[2] + bounds[3]) / 2, (bounds[4] + bounds[5]) / 2]
        size = max(bounds[1] - bounds[0], bounds[3] - bounds[2], bounds[5] - bounds[4])
        view.CameraPosition = [centre[0] - 0.15 * size, centre[1] - 0.9 * size, centre[2] + 0.6 * size]
        view.CameraFocalPoint = centre
        view.CameraViewUp = [0, 0, 1]
    else:
        shown, source = Show(reader, view), reader
        view.InteractionMode = "2D"
        view.CameraPosition = [(bounds[0] + bounds[1]) / 2, (bounds[2] + bounds[3]) / 2, 10]
        view.CameraFocalPoint = [(bounds[0] + bounds[1]) / 2, (bounds[2] + bounds[3]) / 2, 0]
        view.CameraViewUp = [0, 1, 0]
    component = 0 if components == 1 else -1
    if components == 1:
        ColorBy(shown, ("POINTS", field))
    else:
        ColorBy(shown, ("POINTS", field, "Magnitude"))
    lut = GetColorTransferFunction(field)
    if "vorticity" in field and components == 1:
        lut.ApplyPreset("Cool to Warm", True)
        bound = args.limit if args.limit else percentile_of_abs(source, field, component)
        lut.RescaleTransferFunction(-bound, bound)
    else:
        lut.ApplyPreset("Viridis (matplotlib)", True)
        if args.range:
            lut.RescaleTransferFunction(*args.range)
    bar = GetScalarBar(lut, view)
    bar.Title = field
    bar.ComponentTitle = ""
    bar.TitleColor = bar.LabelColor = [0, 0, 0]
    shown.SetScalarBarVisibility(view, True)
    title = Text(Text=args.title or "%s, t = %g" % (field, time))
    label = Show(title, view)
    label.Color = [0, 0, 0]
    label.FontSize = 14
    label.WindowLocation = "Upper Left Corner"
    Render(view)
    if three_d:
        view.ResetCamera(False)
        view.GetActiveCamera().Dolly(1.7)  # ResetCamera leaves room for any orientation: closer
    else:
        # the domain fills the picture's width (or height), with a margin for the colour bar
        view.CameraParallelProjection = 1
        camera = view.GetActiveCamera()
        camera.SetFocalPoint((bounds[0] + bounds[1]) / 2 + 0.06 * (bounds[1] - bounds[0]), (bounds[2] + bounds[3]) / 2, 0)
        camera.SetPosition((bounds[0] + bounds[1]) / 2 + 0.06 * (bounds[1] - bounds[0]), (bounds[2] + bounds[3]) / 2, 10)
        camera.SetViewUp(0, 1, 0)
        camera.SetParallelScale(0.5 * max(bounds[3] - bounds[2], 1.15 * (bounds[1] - bounds[0]) * args.size[1] / args.size[0]) * 1.1)
    Render(view)
    SaveScreenshot(args.png, view, ImageResolution=args.size, TransparentBackground=0)
    Delete(title)
    print("render.py: wrote %s (%s at t = %g)" % (args.png, field, time))


if __name__ == "__main__":
    main()
