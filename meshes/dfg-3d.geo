// DFG 3D benchmark channel with a circular cylinder (Schaefer & Turek 1996, test case 3D-1Z), all hexahedra.
// Channel [0, 2.5] x [0, 0.41] x [0, 0.41]; cylinder axis parallel to z through (0.5, 0.2), radius 0.05.
// The 2-D cross-section is that of dfg-2d.geo (an O-grid of four transfinite patches in a 0.41 x 0.41 box
// around the cylinder), with an upstream block and a graded downstream block, extruded in z.
// Boundary ids (gmsh physical surface tags, read by deal.II as boundary ids):
//   1 inflow x = 0, 2 outflow x = 2.5, 3 walls (y = 0, y = 0.41, z = 0, z = 0.41), 4 cylinder.
// Give the case 'subsection mesh / set circle manifold = 4 : 0.5, 0.2' (a cylindrical manifold along z), so that
// refinement puts new boundary vertices on the cylinder. 6 radial cells graded by 1.3 towards the cylinder and
// 5 per arc quarter: with 4 and 4 (1.2), the refined mesh gave C_L = 0.0133, outside [0.008, 0.010].
// Regenerate: gmsh -3 -format msh22 dfg-3d.geo -o dfg-3d.msh
r  = 0.05;  cx = 0.5;  cy = 0.2;  H = 0.41;  L = 2.5;  b = 0.205;   // b: half side of the box around the cylinder
n_arc = 6;  n_rad = 7;  n_up = 5;  n_x = 17;  n_z = 8;             // points per arc quarter, radial, up/downstream; layers

s = r / Sqrt(2);
Point(1) = {cx, cy, 0};
Point(2) = {cx + s, cy + s, 0};  Point(3) = {cx - s, cy + s, 0};
Point(4) = {cx - s, cy - s, 0};  Point(5) = {cx + s, cy - s, 0};
Point(6) = {cx + b, H, 0};  Point(7) = {cx - b, H, 0};  Point(8) = {cx - b, 0, 0};  Point(9) = {cx + b, 0, 0};
Point(10) = {L, 0, 0};  Point(11) = {L, H, 0};  Point(12) = {0, 0, 0};  Point(13) = {0, H, 0};

Circle(1) = {2, 1, 3};  Circle(2) = {3, 1, 4};  Circle(3) = {4, 1, 5};  Circle(4) = {5, 1, 2};
Line(5) = {6, 7};  Line(6) = {7, 8};  Line(7) = {8, 9};  Line(8) = {9, 6};
Line(9) = {2, 6};  Line(10) = {3, 7};  Line(11) = {4, 8};  Line(12) = {5, 9};
Line(13) = {9, 10};  Line(14) = {10, 11};  Line(15) = {11, 6};
Line(16) = {8, 12};  Line(17) = {12, 13};  Line(18) = {13, 7};

Curve Loop(1) = {9, 5, -10, -1};   Plane Surface(1) = {1};   // top
Curve Loop(2) = {10, 6, -11, -2};  Plane Surface(2) = {2};   // left
Curve Loop(3) = {11, 7, -12, -3};  Plane Surface(3) = {3};   // bottom
Curve Loop(4) = {12, 8, -9, -4};   Plane Surface(4) = {4};   // right
Curve Loop(5) = {13, 14, 15, -8};  Plane Surface(5) = {5};   // downstream channel
Curve Loop(6) = {16, 17, 18, 6};   Plane Surface(6) = {6};   // upstream channel

Transfinite Curve {1, 2, 3, 4, 5, 6, 7, 8, 14, 17} = n_arc;
Transfinite Curve {9, 10, 11, 12} = n_rad Using Progression 1.3;
Transfinite Curve {13} = n_x Using Progression 1.08;
Transfinite Curve {15} = n_x Using Progression 1 / 1.08;
Transfinite Curve {16, 18} = n_up;
Transfinite Surface {1, 2, 3, 4, 5, 6};
Recombine Surface {1, 2, 3, 4, 5, 6};

Extrude {0, 0, H} { Surface{1, 2, 3, 4, 5, 6}; Layers{n_z - 1}; Recombine; }

e = 1e-6;
Physical Surface(1) = Surface In BoundingBox {-e, -e, -e, e, H + e, H + e};                     // inflow
Physical Surface(2) = Surface In BoundingBox {L - e, -e, -e, L + e, H + e, H + e};              // outflow
Physical Surface(3) = {Surface In BoundingBox {-e, -e, -e, L + e, e, H + e},                    // y = 0
                       Surface In BoundingBox {-e, H - e, -e, L + e, H + e, H + e},             // y = H
                       Surface In BoundingBox {-e, -e, -e, L + e, H + e, e},                    // z = 0
                       Surface In BoundingBox {-e, -e, H - e, L + e, H + e, H + e}};            // z = H
Physical Surface(4) = Surface In BoundingBox {cx - r - e, cy - r - e, -e, cx + r + e, cy + r + e, H + e}; // cylinder
Physical Volume(0) = Volume{:};
