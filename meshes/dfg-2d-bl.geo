// DFG benchmark channel with a cylinder (Schaefer & Turek 1996), 2D, all quadrilaterals: dfg-2d.geo with
// 9 instead of 6 radial cells in the O-grid, graded towards the cylinder by 1.25 instead of 1.15, so that
// the boundary layer (thickness about D / sqrt(Re) = 0.01 at Re = 100) gets about 3 times thinner cells.
// Channel [0, 2.2] x [0, 0.41]; cylinder centre (0.2, 0.2), radius 0.05.
// Boundary ids (gmsh physical line tags, read by deal.II as boundary ids):
//   1 inflow x = 0, 2 outflow x = 2.2, 3 walls y = 0 and y = 0.41, 4 cylinder.
// Regenerate: gmsh -2 -format msh22 dfg-2d-bl.geo -o dfg-2d-bl.msh
r  = 0.05;  cx = 0.2;  cy = 0.2;  H = 0.41;  L = 2.2;  b = 0.41;   // b: side of the box around the cylinder
n_arc = 9;  n_rad = 10;  n_x = 41;                                    // points per arc quarter, radial, downstream

s = r / Sqrt(2);
Point(1) = {cx, cy, 0};
Point(2) = {cx + s, cy + s, 0};  Point(3) = {cx - s, cy + s, 0};
Point(4) = {cx - s, cy - s, 0};  Point(5) = {cx + s, cy - s, 0};
Point(6) = {b, H, 0};  Point(7) = {0, H, 0};  Point(8) = {0, 0, 0};  Point(9) = {b, 0, 0};
Point(10) = {L, 0, 0};  Point(11) = {L, H, 0};

Circle(1) = {2, 1, 3};  Circle(2) = {3, 1, 4};  Circle(3) = {4, 1, 5};  Circle(4) = {5, 1, 2};
Line(5) = {6, 7};  Line(6) = {7, 8};  Line(7) = {8, 9};  Line(8) = {9, 6};
Line(9) = {2, 6};  Line(10) = {3, 7};  Line(11) = {4, 8};  Line(12) = {5, 9};
Line(13) = {9, 10};  Line(14) = {10, 11};  Line(15) = {11, 6};

Curve Loop(1) = {9, 5, -10, -1};   Plane Surface(1) = {1};   // top
Curve Loop(2) = {10, 6, -11, -2};  Plane Surface(2) = {2};   // left
Curve Loop(3) = {11, 7, -12, -3};  Plane Surface(3) = {3};   // bottom
Curve Loop(4) = {12, 8, -9, -4};   Plane Surface(4) = {4};   // right
Curve Loop(5) = {13, 14, 15, -8};  Plane Surface(5) = {5};   // downstream channel

Transfinite Curve {1, 2, 3, 4, 5, 6, 7, 8, 14} = n_arc;
Transfinite Curve {9, 10, 11, 12} = n_rad Using Progression 1.25;
Transfinite Curve {13} = n_x Using Progression 1.03;
Transfinite Curve {15} = n_x Using Progression 1 / 1.03;
Transfinite Surface {1, 2, 3, 4, 5};
Recombine Surface {1, 2, 3, 4, 5};

Physical Curve(1) = {6};            // inflow
Physical Curve(2) = {14};           // outflow
Physical Curve(3) = {5, 7, 13, 15}; // walls
Physical Curve(4) = {1, 2, 3, 4};   // cylinder
Physical Surface(0) = {1, 2, 3, 4, 5};
